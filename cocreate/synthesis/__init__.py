"""The synthesis (DESIGN §6): one data builder (build.py), one small renderer per format
(render_*.py), and the importer of the JSON format. docs/synthesis.md describes the data."""
