"""One module per concept group; each function takes (params, ctx) and returns a ConceptOutput."""
