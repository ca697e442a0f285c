"""The sandbox portal: a real HTTP server of the v1 submission contract (dossier/submit/openapi.yaml).

Used for tests, training and the demo; provinces map the same contract onto their one-stop systems.
"""
