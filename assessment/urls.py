"""The assessment's three URL namespaces, assembled from its subdomains. The namespaces are what the
pages have always been called (assessment:, supervision:, reports:); the root URLs mount them."""

from .catalog import urls as catalog_urls
from .corrections import urls as correction_urls
from .reports import urls as report_urls
from .subsidies import urls as subsidy_urls
from .workflow import urls as workflow_urls

# The town's and the county's pages, at assessment/.
assessment = (workflow_urls.office_patterns + correction_urls.urlpatterns, "assessment")
# The city's configuration and its steps on a year (督查), at supervision/.
supervision = (catalog_urls.urlpatterns + workflow_urls.city_patterns, "supervision")
# Reports and subsidies, at reports/; the root URLs add the dashboards (overview) to this namespace.
report_patterns = report_urls.urlpatterns + subsidy_urls.urlpatterns
