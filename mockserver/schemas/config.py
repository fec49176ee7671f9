"""Session workgroups and the disease configuration."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..apidoc import openapi, ref


class WorkgroupRoleSchema(Schema):
    orgid = fields.String(attribute="id", required=True)
    orgName = fields.String(attribute="name", required=True)
    domain = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class WorkgroupRolesSchema(Schema):
    workgroupRoles = fields.List(fields.Nested(WorkgroupRoleSchema), required=True)


class DiseaseTermSchema(Schema):
    externalId = fields.String(attribute="externalid", required=True)
    name = fields.String(required=True)
    ontologyType = fields.String(attribute="ontologytype", required=True)
    synonym = fields.Function(lambda d: [d.name, *d.synonyms], required=True,
                              metadata=openapi(type="array", items={"type": "string"}))


_term = DiseaseTermSchema()


class DiseaseConfigItemSchema(Schema):
    """One configured disease; clients read ``associatedDiseasesTerms[].externalId/synonym``."""

    name = fields.String(required=True)
    externalId = fields.String(attribute="externalid", required=True)
    ontologyType = fields.String(attribute="ontologytype", required=True)
    version = fields.String(allow_none=True)
    keyGenes = fields.List(fields.String(), attribute="key_genes")
    associatedDiseasesTerms = fields.Function(lambda d: [_term.dump(d)], required=True,
                                              metadata=openapi(type="array", items=ref(DiseaseTermSchema)))
