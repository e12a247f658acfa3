"""The API's one error shape: ``{"error": {"code", "message", "parameter"}}``.

Codes are stable (clients switch on them); messages are in the request's
language (``vi`` or ``en``).
"""

from __future__ import annotations

from typing import Any

# code -> (HTTP status, Vietnamese template, English template)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "unknown_parameter": (
        400,
        "Tham số không được hỗ trợ: '{parameter}'.",
        "Unsupported parameter: '{parameter}'.",
    ),
    "invalid_parameter": (
        400,
        "Giá trị không hợp lệ cho tham số '{parameter}': {detail_vi}",
        "Invalid value for parameter '{parameter}': {detail_en}",
    ),
    "repeated_parameter": (
        400,
        "Tham số '{parameter}' chỉ được dùng một lần.",
        "Parameter '{parameter}' may be given only once.",
    ),
    "parameter_conflict": (
        400,
        "Tham số '{parameter}' không dùng được như vậy: {detail_vi}",
        "Parameter '{parameter}' cannot be used this way: {detail_en}",
    ),
    "invalid_query": (
        400,
        "Truy vấn tìm kiếm không hợp lệ: {detail_vi}",
        "Invalid search query: {detail_en}",
    ),
    "token_invalid": (
        401,
        "Mã truy cập (API token) trong tiêu đề Authorization không hợp lệ hoặc đã bị thu hồi.",
        "The API token in the Authorization header is invalid or has been revoked.",
    ),
    "token_required": (
        401,
        "Tham số '{parameter}' cần mã truy cập (API token) của cán bộ quản lý.",
        "Parameter '{parameter}' requires a curator's API token.",
    ),
    "not_found": (
        404,
        "Không tìm thấy bản ghi '{detail_vi}'.",
        "No record '{detail_en}' was found.",
    ),
    "unknown_resource": (
        404,
        "Không có tài nguyên API này.",
        "There is no such API resource.",
    ),
    "method_not_allowed": (
        405,
        "API chỉ hỗ trợ phương thức GET.",
        "The API supports only the GET method.",
    ),
    "not_acceptable": (
        406,
        "Không hỗ trợ định dạng được yêu cầu trong tiêu đề Accept; dùng JSON, GeoJSON, CSV hoặc JSON-LD.",
        "The format requested in the Accept header is not supported; use JSON, GeoJSON, CSV or JSON-LD.",
    ),
    "rate_limited": (
        429,
        "Quá nhiều yêu cầu ({detail_vi}); hãy thử lại sau {retry_after} giây.",
        "Too many requests ({detail_en}); retry after {retry_after} seconds.",
    ),
    "service_unavailable": (
        503,
        "Cơ sở dữ liệu của cổng đang tạm ngừng hoạt động; vui lòng thử lại sau ít phút.",
        "The portal's database is unavailable at the moment; please try again in a few minutes.",
    ),
    "internal_error": (
        500,
        "Lỗi máy chủ; vui lòng thử lại sau.",
        "Server error; please try again later.",
    ),
}

ERROR_CODES = sorted(MESSAGES)


class ApiError(Exception):
    """An error answered with the API's error shape."""

    def __init__(
        self,
        code: str,
        parameter: str | None = None,
        detail_vi: str = "",
        detail_en: str = "",
        **extra: Any,
    ) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown API error code {code!r}")
        self.code = code
        self.parameter = parameter
        self.detail_vi = detail_vi
        self.detail_en = detail_en or detail_vi
        self.extra = extra
        super().__init__(f"{code}: {parameter}: {self.detail_en}")

    @property
    def status(self) -> int:
        return MESSAGES[self.code][0]

    def message(self, lang: str) -> str:
        _status, vi, en = MESSAGES[self.code]
        template = en if lang == "en" else vi
        return template.format(
            parameter=self.parameter or "",
            detail_vi=self.detail_vi,
            detail_en=self.detail_en,
            **{key: value for key, value in self.extra.items()},
        )

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message(lang),
                "parameter": self.parameter,
                "status": self.status,
            }
        }


def invalid(parameter: str, vi: str, en: str) -> ApiError:
    return ApiError("invalid_parameter", parameter, vi, en)


def conflict(parameter: str, vi: str, en: str) -> ApiError:
    return ApiError("parameter_conflict", parameter, vi, en)
