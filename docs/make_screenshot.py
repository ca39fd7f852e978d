"""Write docs/screenshot.svg: the dashboard on the offline demo, 120x36, Security selected.

Run with: .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from feeds import Classifier, demo_config
from state import Store
from tui.app import SummitWatchApp
from tui.services import make_fetcher
from tui.widgets.navigator import Navigator


async def main() -> None:
    classifier = Classifier.load()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "demo.db") as store:
        app = SummitWatchApp(
            config=demo_config(),
            store=store,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
            demo=True,
        )
        async with app.run_test(size=(140, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            nav = app.screen.query_one(Navigator)
            nav.highlighted = nav.get_option_index("summit")
            await pilot.pause()
            await pilot.press("j", "j")
            await pilot.pause(0.5)
            out = Path(__file__).parent
            app.save_screenshot(filename="screenshot.svg", path=str(out))


if __name__ == "__main__":
    asyncio.run(main())
