"""`exporter catalog`: many courses (and their languages) built as cached jobs on Dask, on this machine or a
cluster. spec.py reads CATALOG.yml, jobs.py is what workers run, parts.py sends a PDF's parts to every worker,
run.py drives the cluster, table.py shows the end. Sources, outputs and the build cache are paths every worker can read and write (docs/catalog.md)."""
from exporter.catalog.jobs import CourseOutcome
from exporter.catalog.run import ClusterError, Progress, RunSettings, run_catalog
from exporter.catalog.spec import Catalog, CatalogError, load_catalog

__all__ = ["Catalog", "CatalogError", "ClusterError", "CourseOutcome", "Progress", "RunSettings", "load_catalog",
           "run_catalog"]
