"""What both HTTP layers share: the vendor's credentials, the single error path and its wording of
wrong turns, and the bounds on bodies and parsed input. Imports the schemas and the domain."""
