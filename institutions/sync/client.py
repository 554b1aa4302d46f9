"""The HTTP client of the qualification-approval system's API (docs/qualification-sync.md).

Failures are classified for the Celery task: TransientSyncError (connection errors, timeouts, 429, 5xx)
is retried with backoff; PermanentSyncError (401, 403, any other 4xx, an unreadable answer) is final.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

API_PATH = "/api/v1/institutions"


class SyncError(Exception):
    """A sync failed; the message is Chinese and shown to regulators in the run's errors."""


class TransientSyncError(SyncError):
    """Worth retrying later: the approval system was unreachable, slow or temporarily failing."""


class PermanentSyncError(SyncError):
    """Retrying cannot help: the request or the token is wrong, or the answer is not the contract."""


def _status_error(status: int) -> SyncError:
    if status in (401, 403):
        return PermanentSyncError(
            f"资质认定审批系统拒绝了访问令牌（HTTP {status}），请检查 QUALIFICATION_API_TOKEN。"
        )
    if status == 429 or status >= 500:
        return TransientSyncError(f"资质认定审批系统暂时不可用（HTTP {status}），稍后将自动重试。")
    return PermanentSyncError(f"资质认定审批系统拒绝了请求（HTTP {status}），请检查接口地址和参数。")


def _check_page(page: Any, where: str) -> dict[str, Any]:
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise PermanentSyncError(f"{where}的内容不符合接口约定：缺少 results 列表。")
    return page


class QualificationClient:
    """Reads pages of institution records from the approval system over HTTP(S)."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        page_size: int | None = None,
    ) -> None:
        self.base_url = (base_url if base_url is not None else settings.QUALIFICATION_API_URL).rstrip("/")
        self.token = token if token is not None else settings.QUALIFICATION_API_TOKEN
        self.timeout = timeout if timeout is not None else settings.QUALIFICATION_API_TIMEOUT
        self.page_size = page_size if page_size is not None else settings.QUALIFICATION_PAGE_SIZE

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}{API_PATH}"

    def get_page(self, *, page: int, full: bool, updated_since: datetime | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if full:
            params["mode"] = "full"
        elif updated_since is not None:
            params["updated_since"] = updated_since.isoformat()
        params.update(page=page, page_size=self.page_size)
        request = Request(f"{self.endpoint}?{urlencode(params)}", headers={"Accept": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except HTTPError as error:
            error.close()
            raise _status_error(error.code) from error
        except TimeoutError as error:
            raise TransientSyncError(
                f"资质认定审批系统在 {self.timeout:g} 秒内没有响应（第 {page} 页），稍后将自动重试。"
            ) from error
        except (URLError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise TransientSyncError(
                f"无法连接资质认定审批系统（{self.base_url}）：{reason}，稍后将自动重试。"
            ) from error
        try:
            page_data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise PermanentSyncError(
                f"资质认定审批系统第 {page} 页的响应不是有效的 JSON：{error}。"
            ) from error
        return _check_page(page_data, f"资质认定审批系统第 {page} 页")

    def pages(self, *, full: bool, updated_since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every page of the run, in order, until the approval system says has_next is false."""
        number = 1
        while True:
            page = self.get_page(page=number, full=full, updated_since=updated_since)
            yield page
            if not page.get("has_next"):
                return
            number += 1


def read_file(path: str | Path) -> list[dict[str, Any]]:
    """The pages of an offline import: one page object, a list of pages, or a list of records."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PermanentSyncError(f"无法读取导入文件 {path}：{error.strerror or error}。") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PermanentSyncError(f"导入文件 {path.name} 不是有效的 UTF-8 JSON：{error}。") from error
    if isinstance(data, dict):
        return [_check_page(data, f"导入文件 {path.name}")]
    if isinstance(data, list) and all(isinstance(x, dict) and "results" in x for x in data) and data:
        return [_check_page(page, f"导入文件 {path.name} 第 {n} 页") for n, page in enumerate(data, 1)]
    if isinstance(data, list):
        return [{"results": data}]
    raise PermanentSyncError(f"导入文件 {path.name} 应为一页数据、页的列表或机构记录的列表。")
