"""Sessions read from the cache and written through to the database (settings.SESSION_ENGINE with Redis).

Django's cached_db store already survives a cache that fails to read or to save; it still raises when it
refills the cache after a database read, on delete and on exists. Here every cache call may fail: a Redis
outage then costs database reads, not every logged-in page.
"""

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def _cache_call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._cache, method)(*args)
        except Exception:
            logger.warning("session cache unavailable (%s); using the database", method, exc_info=True)
            return None

    def load(self) -> dict:
        data = self._cache_call("get", self.cache_key)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_call("set", self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key: str | None) -> bool:
        if session_key and self._cache_call("has_key", self.cache_key_prefix + session_key):
            return True
        return bool(session_key) and super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache_call("delete", self.cache_key_prefix + session_key)
