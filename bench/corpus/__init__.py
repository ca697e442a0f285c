"""An evaluation corpus written without the profiles: see `dossiers.corpus`."""
