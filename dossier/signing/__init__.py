"""PAdES signing (sign.py, keys.py, precheck.py, appearance.py) and verification (verify.py, audit.py).

Signing and verifying are separate modules, as in pyHanko: a batch opens one signer (a PKCS#12 file or a
PKCS#11 session), checks the certificate once, and signs each PDF as an incremental update; verification turns
pyHanko's validation facts into ETSI indications for `dossier verify` and `dossier audit`.
"""
