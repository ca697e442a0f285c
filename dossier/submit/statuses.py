"""The portal's dossier statuses (TrangThaiHoSo 1 to 10, as the national portal numbers them) and names.

One table for the sandbox portal, the client commands and the supervisors' report. The official names are data
shared with the portal, so they stay Vietnamese in every language.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    registered = 1
    accepted = 2
    refused = 3
    processing = 4
    supplement_requested = 5
    payment_requested = 6
    withdrawn = 7
    stopped = 8
    resolved = 9
    returned = 10

    @property
    def label(self) -> str:
        return STATUS_NAMES[self]


STATUS_NAMES: dict[int, str] = {
    Status.registered: "Mới đăng ký",
    Status.accepted: "Được tiếp nhận",
    Status.refused: "Không được tiếp nhận",
    Status.processing: "Đang xử lý",
    Status.supplement_requested: "Yêu cầu bổ sung giấy tờ",
    Status.payment_requested: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.withdrawn: "Công dân yêu cầu rút hồ sơ",
    Status.stopped: "Dừng xử lý",
    Status.resolved: "Đã xử lý xong",
    Status.returned: "Đã trả kết quả",
}
