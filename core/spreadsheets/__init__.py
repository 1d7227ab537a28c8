"""Spreadsheets in and out of the portal: Excel (XLSX) and CSV files as town and county staff keep
them in Excel and WPS.

- ``reading``: an uploaded file → plain rows of text, safely (size, row, column and
  decompression limits; no XML entities; content decides the format, never the name);
- ``columns``: the columns an import knows, and finding the header row under merged title rows;
- ``cells``: one cell's text → a date, a number, a choice (full-width digits, ``2010年3月5日``,
  Excel serials);
- ``importing``: the preview (what will be created, changed, skipped, and every problem by row
  and column) and the all-or-nothing write;
- ``pending``: uploads waiting for the user's confirmation, kept server-side for an hour;
- ``writing``: XLSX and CSV exports and import templates, with Chinese headers, real date cells
  and text that no spreadsheet runs as a formula;
- ``views``: the upload → preview → confirm page and the export response, shared by every app.

Each app describes its own imports and exports in its ``resources.py``.
"""
