"""lxml parsers are not shared between threads: each parsing thread of a poll has its own."""

from __future__ import annotations

import threading

from feeds.collect.normalize import PerThread, html_to_text


def test_each_thread_gets_its_own_parser_and_keeps_it() -> None:
    made: list[object] = []
    parsers = PerThread(lambda: made.append(object()) or made[-1])
    mine = parsers.get()
    assert parsers.get() is mine
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(parsers.get()))
    worker.start()
    worker.join()
    assert seen[0] is not mine and len(made) == 2


def test_html_parsed_in_many_threads_at_once_reads_the_same() -> None:
    markup = "<p>The leaders <b>met</b> in Ottawa.</p>" * 200
    expected = html_to_text(markup)
    results: list[str] = []
    start = threading.Barrier(8)

    def parse() -> None:
        start.wait()
        results.extend(html_to_text(markup) for _ in range(20))

    threads = [threading.Thread(target=parse) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 160
