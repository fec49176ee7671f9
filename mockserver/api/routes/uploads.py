"""Custom case data: upload metadata CSVs, then poll each file's ingestion status."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ... import fidelity
from ...apidoc import VENDOR, documented
from ...domain import operations
from ...domain.ingestion.ahead import prepare_jobs_ahead
from ...domain.ingestion.csv_file import parse_csv
from ...http import answered
from ...http.credentials import caller, state, workgroup
from ...schemas.uploads import UploadAcceptedSchema, UploadStatusSchema
from ..rendering import sliced_json_response

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
    parsed = [parse_csv(f.filename or "", f.read()) for f in files]
    uploads = operations.upload_custom_case_data(wg, parsed, state().clock.now(), caller(wg))
    response = jsonify(_accepted.dump(uploads))
    response.call_on_close(prepare_jobs_ahead(wg, uploads))
    return response


@bp.get("/crs/api/v1/custom-case-data/<upload_id>/status", endpoint="getCustomCaseDataStatus")
@documented(operation_id="getCustomCaseDataStatus", tag=VENDOR, summary="Ingestion status of an uploaded file",
            responses={200: UploadStatusSchema})
def get_custom_case_data_status(upload_id: str) -> Response:
    wg = workgroup()
    upload = operations.get_custom_case_data_status(wg, upload_id, state().clock.now())
    answered.note_resource("upload", upload.id, upload.status, upload.finished)
    return sliced_json_response(_status.dump(upload))
