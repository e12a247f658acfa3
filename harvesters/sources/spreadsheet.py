"""CSV and XLSX registers: encodings, Vietnamese text, rows with row numbers.

CSV files arrive as UTF-8 (with or without BOM), UTF-16 (with BOM, or without
one when the NUL pattern shows it) or Windows-1258. Windows-1258 text usually
writes Vietnamese tone marks as *combining* characters ("a" + U+0301), so
every string is normalised to NFC: "Khánh Hòa" from a cp1258 file compares
equal to the same words typed in UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from typing import Any

from .base import SourceError, SourceListing, SourceRecord

# Bounds (the harvester passes the settings; these are the defaults)
MAX_ROWS = 100_000  # records (non-blank rows under the header)
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # all the parts of an XLSX file, decompressed
MAX_RATIO = 100  # decompressed / compressed size of one part larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
DOCTYPE_MARKERS = (
    b"<!DOCTYPE",
    b"<!ENTITY",
    "<!DOCTYPE".encode("utf-16-le"),
    "<!DOCTYPE".encode("utf-16-be"),
)


def nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def detect_format(data: bytes, name_hint: str = "") -> str:
    """``xlsx`` for a ZIP container, ``csv`` otherwise (the URL/name only breaks ties)."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name_hint.lower().split("?")[0].endswith((".xlsx", ".xlsm")):
        return "xlsx"  # named XLSX but not a ZIP: read_xlsx will report it as malformed
    return "csv"


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Bytes of a CSV file to NFC text, honouring a BOM, then ``encoding``, then guessing."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(data, "utf-16")
    elif encoding:
        text = _decode(data, encoding)
    else:
        sample = data[:2000]
        if sample and sample[1::2].count(0) > len(sample) // 4:
            text = _decode(data, "utf-16-le")
        elif sample and sample[0::2].count(0) > len(sample) // 4:
            text = _decode(data, "utf-16-be")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Not UTF-8: the other encoding Vietnamese Windows software writes.
                text = _decode(data, "cp1258")
    if "\x00" in text:
        raise SourceError("the file contains NUL characters: wrong encoding or a binary file")
    return unicodedata.normalize("NFC", text)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as error:
        raise SourceError(f"unknown encoding {encoding!r}") from error
    except UnicodeDecodeError as error:
        raise SourceError(
            f"the file is not valid {encoding} (byte {error.start}): truncated, or another encoding"
        ) from error


def read_csv(
    data: bytes,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    base_url: str | None = None,
    max_rows: int = MAX_ROWS,
) -> SourceListing:
    text = decode_text(data, encoding)
    if delimiter is None:
        first_lines = "\n".join(text.splitlines()[:20])
        try:
            delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","

    def rows():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise SourceError(f"malformed CSV: {error}") from error

    return _listing_from_rows(rows(), header_row=header_row, base_url=base_url, max_rows=max_rows)


def check_xlsx_container(
    data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES, max_ratio: int = MAX_RATIO
) -> None:
    """Refuse an XLSX (ZIP) file before openpyxl reads it: too large once decompressed, a
    part compressed far more than spreadsheets are (a "zip bomb"), or an XML part with a
    DTD (Excel never writes one; entity declarations expand without bound).

    The sizes are the ones the ZIP directory declares; :mod:`zipfile` refuses to read
    more than that from a part (CRC and size checks), so they cannot lie.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SourceError(f"malformed or truncated XLSX file ({error})") from error
    with archive:
        parts = archive.infolist()
        total = sum(part.file_size for part in parts)
        if total > max_uncompressed:
            raise SourceError(
                f"the XLSX file decompresses to {total} bytes, more than {max_uncompressed} "
                "(ckanext.khtourism.harvest.max_uncompressed_bytes): refused"
            )
        for part in parts:
            if part.file_size > RATIO_FLOOR and part.file_size > max_ratio * max(
                part.compress_size, 1
            ):
                raise SourceError(
                    f"the XLSX part {part.filename!r} is compressed "
                    f"{part.file_size // max(part.compress_size, 1)} times "
                    f"(more than {max_ratio}): a decompression bomb, refused"
                )
        for part in parts:
            if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(part) as handle:
                    head = handle.read(64 * 1024)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
                raise SourceError(f"malformed or truncated XLSX file ({error})") from error
            if any(marker in head for marker in DOCTYPE_MARKERS):
                raise SourceError(
                    f"the XLSX part {part.filename!r} declares a DTD (entity declarations "
                    "are not allowed): refused"
                )


def read_xlsx(
    data: bytes,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    base_url: str | None = None,
    max_rows: int = MAX_ROWS,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> SourceListing:
    import openpyxl
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:  # its streaming reader would use the stdlib's expat
        raise SourceError("XLSX files are not read: defusedxml is not installed")
    check_xlsx_container(data, max_uncompressed=max_uncompressed)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise _xlsx_error(error) from error
    # a read-only workbook's sheets are ReadOnlyWorksheets, which openpyxl's stubs leave out
    worksheet: Any
    try:
        if sheet:
            if sheet not in workbook.sheetnames:
                raise SourceError(
                    f"the workbook has no sheet {sheet!r} "
                    f"(sheets: {', '.join(workbook.sheetnames)})"
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]

        def rows():
            try:
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    yield number, list(values)
            except SourceError:
                raise
            except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
                # defusedxml's EntitiesForbidden is a ValueError too
                raise _xlsx_error(error) from error

        return _listing_from_rows(
            rows(), header_row=header_row, base_url=base_url, max_rows=max_rows
        )
    finally:
        workbook.close()


def _xlsx_error(error: BaseException) -> SourceError:
    """A SourceError for a failure of openpyxl; entity declarations are named as such."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return SourceError(
                f"the XLSX file declares XML entities (not allowed, {type(cause).__name__}): "
                "refused"
            )
        cause = cause.__cause__ or cause.__context__
    return SourceError(f"malformed or truncated XLSX file ({error})")


def _is_blank(values: list[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = nfc(value)
        return value or None
    return value


def _listing_from_rows(
    rows, *, header_row: int | None, base_url: str | None, max_rows: int = MAX_ROWS
) -> SourceListing:
    headers: list[str] | None = None
    listing = SourceListing()
    for number, values in rows:
        if headers is None:
            if header_row and number < header_row:
                continue
            filled = sum(1 for v in values if v is not None and str(v).strip())
            if not header_row and filled < 2:
                continue  # blank lines and title lines ("DANH SÁCH …") above the header
            headers = [str(nfc(value)) if value is not None else "" for value in values]
            while headers and not headers[-1]:
                headers.pop()
            if not any(headers):
                raise SourceError(f"row {number}: the header row is empty")
            duplicated = {h for h in headers if h and headers.count(h) > 1}
            if duplicated:
                raise SourceError(
                    f"row {number}: repeated column header(s): " + ", ".join(sorted(duplicated))
                )
            continue
        if _is_blank(values):
            continue
        if len(listing.records) >= max_rows:
            raise SourceError(
                f"row {number}: the file has more than {max_rows} rows of records "
                "(ckanext.khtourism.harvest.max_records): refused, nothing imported or withdrawn"
            )
        problem = None
        if len(values) < len(headers):
            problem = (
                f"row {number} has {len(values)} cells but the header has {len(headers)}"
                " (truncated or malformed line)"
            )
        elif len(values) > len(headers) and not _is_blank(values[len(headers) :]):
            problem = (
                f"row {number} has {len(values)} cells but the header has {len(headers)}"
                " (unquoted separator in a value?)"
            )
        properties = {
            header: _cell(value) for header, value in zip(headers, values, strict=False) if header
        }
        listing.records.append(
            SourceRecord(
                ref=f"row {number}",
                properties=properties,
                problem=problem,
                # the register's URL: a row number is no stable address (rows move)
                url=base_url or None,
            )
        )
    if headers is None:
        raise SourceError("the file has no header row (empty file?)")
    listing.feature_ids = False
    return listing


def read_spreadsheet(
    data: bytes,
    *,
    name_hint: str = "",
    file_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    base_url: str | None = None,
    max_rows: int = MAX_ROWS,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> SourceListing:
    """Read a CSV or XLSX register into a listing (one record per non-blank row).

    At most ``max_rows`` records; an XLSX file at most ``max_uncompressed`` bytes once
    decompressed (:func:`check_xlsx_container`). Beyond, the whole file is refused.
    """
    if not data:
        raise SourceError("the file is empty")
    file_format = (file_format or detect_format(data, name_hint)).lower()
    if file_format == "xlsx":
        return read_xlsx(
            data,
            sheet=sheet,
            header_row=header_row,
            base_url=base_url,
            max_rows=max_rows,
            max_uncompressed=max_uncompressed,
        )
    if file_format == "csv":
        return read_csv(
            data,
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            base_url=base_url,
            max_rows=max_rows,
        )
    raise SourceError(f"unsupported spreadsheet format {file_format!r} (csv or xlsx)")
