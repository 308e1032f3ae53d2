"""Anki packages in the store: the import and export transactions, their media and reports.

The Anki format itself (reading packages, templates, HTML to terminal text) lives in `flashapp.anki`;
this subpackage holds what persists it: `package_import`, `package_export`, `media`, `notes_sql`,
`stager`/`stage_worker` (notes computed in another process for big packages), `definitions`, `reports`.
"""
