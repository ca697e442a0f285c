"""`dossier batch`: digitize a tree of paper dossiers unattended, resumably, on a Dask cluster."""
