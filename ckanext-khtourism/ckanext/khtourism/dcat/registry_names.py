"""Names, URIs and texts of the registry datasets and the tourism DataService."""

from __future__ import annotations

from . import settings
from . import vocabulary as V

REGISTRY_PREFIX = "registry-"


def registry_name(record_type: str) -> str:
    return REGISTRY_PREFIX + record_type


def record_type_of_registry(name: str | None) -> str | None:
    if name and name.startswith(REGISTRY_PREFIX):
        record_type = name[len(REGISTRY_PREFIX) :]
        if record_type in V.RECORD_TYPES:
            return record_type
    return None


def data_service_uri() -> str:
    return V.base_uri() + "/dcat/service/tourism-api"


def export_url(record_type: str, fmt: str) -> str:
    return f"{V.base_uri()}/registry/{record_type}.{fmt}"


def registry_texts(record_type: str) -> dict[str, str]:
    spec = V.RECORD_TYPES[record_type]
    authority = settings.publisher()
    return {
        "title_vi": f"Danh bạ {spec.label_vi.lower()} tỉnh Khánh Hòa",
        "title_en": f"Register of {spec.label_en.lower()}s in Khánh Hòa province",
        "notes_vi": (
            f"Toàn bộ hồ sơ {spec.label_vi.lower()} đã công bố trên cổng dữ liệu, "
            f"cập nhật tự động. Đơn vị công bố: {authority['name']}."
        ),
        "notes_en": (
            f"Every published {spec.label_en.lower()} record of the portal, kept up to "
            f"date automatically. Publisher: {authority['name_en'] or authority['name']}."
        ),
    }
