"""A spreadsheet file as LibreOffice Calc reads it."""

import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ODS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}


def rows_in_calc(tmp_path, xlsx):
    """The rows of ``xlsx`` (each cell's text and value type) as LibreOffice Calc opens
    it."""
    assert shutil.which("soffice"), "LibreOffice Calc is needed: bash .ci/system-packages --test"
    out = tmp_path / "calc"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                    "--headless", "--convert-to", "ods", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    with zipfile.ZipFile(out / f"{xlsx.stem}.ods") as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    value_type = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
    return [[("".join(cell.itertext()), cell.get(value_type)) for cell in row]
            for row in root.find(".//table:table", ODS).iter(f"{{{ODS['table']}}}table-row")
            if any("".join(cell.itertext()) for cell in row)]
