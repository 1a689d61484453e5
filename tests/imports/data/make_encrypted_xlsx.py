"""How encrypted_claims.xlsx was made (run once, outside the project's virtualenv).

    python -m venv /tmp/crypto && /tmp/crypto/bin/pip install msoffcrypto-tool==6.1.0 openpyxl
    /tmp/crypto/bin/python tests/imports/data/make_encrypted_xlsx.py

msoffcrypto-tool encrypts as Excel does for "Encrypt with Password" (ECMA-376 agile
encryption): an OLE2 compound file holding EncryptionInfo and EncryptedPackage streams. The
password is "cpd-log-test". Neither package is a dependency of CPD Log or of its tests.
"""

import io
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl

workbook = openpyxl.Workbook()
sheet = workbook.active
sheet.append(["Title", "Date", "Hours"])
sheet.append(["Risk workshop", "2025-03-14", 3])
plain = io.BytesIO()
workbook.save(plain)
plain.seek(0)
out = Path(__file__).with_name("encrypted_claims.xlsx")
with out.open("wb") as target:
    msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("cpd-log-test", target)
