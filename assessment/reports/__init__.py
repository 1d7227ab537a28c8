"""The award-subsidy reports (DOMAIN.md, "Reports"): one generator per report returning dataclass
rows (`award.award_report`, `summary.city_summary`, `sheet.scoring_sheet`), and formatters that turn
them into PDF (`pdf`, WeasyPrint) and XLSX (`xlsx`, openpyxl). Charts are SVG drawn on the server
(`charts`), so a page and its PDF show the same picture. `fetcher` keeps the PDF renderer to the
portal's own static files."""


class ReportError(Exception):
    """A report that cannot be made (no such year, no assessment): the message says why, in Chinese."""
