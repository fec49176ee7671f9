"""Under waitress, a held request (a delay, a wait) is lent a thread of its own: the core keeps
answering while every slot is held, and the lent threads end with the holds."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests
from conftest import BREAST_CASE, Api, start_server

CASE = f"/crs/api/v2/cases/{BREAST_CASE}"


def test_held_requests_run_on_lent_threads_and_the_core_stays_free() -> None:
    server = start_server(server="waitress", threads=8)  # a core of 2; 6 may be held
    dispatcher = server._server.task_dispatcher
    holding = server.app.extensions["mockserver.control"].holding
    api = Api(server)
    try:
        assert (len(dispatcher.threads), holding.capacity) == (2, 6)
        delayed = {**api.session.headers, "X-Mock-Delay-Ms": "1500"}
        with ThreadPoolExecutor(max_workers=holding.capacity) as pool:
            held = [pool.submit(requests.get, server.url + CASE, headers=delayed, timeout=30)
                    for _ in range(holding.capacity)]
            deadline = time.monotonic() + 10
            while holding.held < holding.capacity and time.monotonic() < deadline:
                time.sleep(0.01)
            assert holding.held == holding.capacity and dispatcher.lent == holding.capacity
            assert len(dispatcher.threads) - dispatcher.stop_count == 2 + holding.capacity
            for _ in range(4):  # answered by the core while every slot is held
                assert api.get(CASE, timeout=5).status_code == 200
            assert not any(future.done() for future in held)
        assert [future.result().status_code for future in held] == [200] * holding.capacity
        deadline = time.monotonic() + 5
        while len(dispatcher.threads) > 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert dispatcher.lent == 0 and len(dispatcher.threads) == 2
    finally:
        api.close()
        server.stop()
