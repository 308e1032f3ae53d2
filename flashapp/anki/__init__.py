"""Anki interoperability: reading and writing `.apkg` / `.colpkg` packages, rendering Anki note types.

Pure Python (no Textual, no torch, no database session): the store's `store.anki` subpackage
(`package_import`, `package_export`) moves what these read and write into and out of the
collection. The official `anki` package is used only by the tests, as a real client to compare with.
"""
