"""Custom case data: upload metadata CSVs, then poll each file's ingestion status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ... import fidelity
from ...apidoc import VENDOR, documented
from ...credentials import state, workgroup
from ...domain import ingestion, operations
from ...schemas.uploads import UploadAcceptedSchema, UploadStatusSchema

bp = Blueprint("uploads", __name__)

_accepted = UploadAcceptedSchema(many=True)
_status = UploadStatusSchema()


@bp.post("/crs/api/v2/custom-case-data/files", endpoint="uploadCustomCaseData")
@documented(operation_id="uploadCustomCaseData", tag=VENDOR, summary="Upload case metadata CSV files",
            description="Up to 5 CSV files, each at most 10 MB, at most 50 MB together; each needs Sample_ID and Case_ID columns.",
            multipart_files=fidelity.UPLOAD_FIELD, responses={200: UploadAcceptedSchema(many=True)})
def upload_custom_case_data() -> Response:
    wg = workgroup()
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            f"Send the files as multipart/form-data in the field '{fidelity.UPLOAD_FIELD}'."
        )
    files = request.files.getlist(fidelity.UPLOAD_FIELD)
    others = [name for name in request.files if name != fidelity.UPLOAD_FIELD]
    if others:
        raise BadRequest(f"Unexpected file field(s) {', '.join(others)}; use '{fidelity.UPLOAD_FIELD}'.")
    if not files:
        raise BadRequest(f"No file: add one to five CSV files in the field '{fidelity.UPLOAD_FIELD}'.")
    parsed = [ingestion.parse_csv(f.filename or "", f.stream.getvalue()) for f in files]
    uploads = operations.upload_custom_case_data(wg, parsed, state().clock.now())
    response = jsonify(_accepted.dump(uploads))
    # Each job's rows are worked out away from the workgroup's lock: a small file's before the
    # answer (so the next request finds it ready), a large file's after the answer is sent.
    large = [u.id for u in uploads if u.total_rows >= ingestion.LARGE_JOB_ROWS]
    for upload in uploads:
        if upload.id not in large:
            ingestion.prepare_ahead(wg, upload.id)
    if large:
        response.call_on_close(lambda: [ingestion.prepare_ahead(wg, upload_id) for upload_id in large])
    return response


@bp.get("/crs/api/v1/custom-case-data/<upload_id>/status", endpoint="getCustomCaseDataStatus")
@documented(operation_id="getCustomCaseDataStatus", tag=VENDOR, summary="Ingestion status of an uploaded file",
            responses={200: UploadStatusSchema})
def get_custom_case_data_status(upload_id: str) -> Response:
    wg = workgroup()
    upload = operations.get_custom_case_data_status(wg, upload_id, state().clock.now())
    return status_response(_status.dump(upload))


#: Id lists longer than this are encoded in slices of it.
_SLICE = 5000


def status_response(body: dict[str, Any]) -> Response:
    """The status body as compact JSON. A job may have created 100,000 cases: their ids are
    encoded a slice at a time, as one encoding call for all of them would hold the GIL (and so
    every other request) for ~45 ms."""
    long = {k: v for k, v in body.items() if isinstance(v, list) and len(v) > _SLICE}
    if not long:
        return jsonify(body)
    encode = current_app.json.dumps
    text = encode({k: [] if k in long else v for k, v in body.items()}, separators=(",", ":"))
    for key, values in long.items():
        items = ",".join(encode(values[i : i + _SLICE], separators=(",", ":"))[1:-1] for i in range(0, len(values), _SLICE))
        text = text.replace(f'"{key}":[]', f'"{key}":[{items}]', 1)
    return current_app.response_class(text, mimetype="application/json")
