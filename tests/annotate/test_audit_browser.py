"""The audit page driven in a real browser (slow): headless Chromium from Debian's `chromium` and
`chromium-driver` packages through selenium (.ci/run installs them). An auditor's choices survive a
reload and Back with the counter right, leaving with undownloaded work warns, unanswered problems are
marked and reachable, the downloaded file scores exactly what was clicked, a duplicated verdict and
another dataset's file are refused in one line, text is at least 12 px on a phone, and the math is
rendered (a screenshot shows it)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("no headless browser: apt-get install chromium chromium-driver (as .ci/run does)", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from perception_r1.cli.main import main  # noqa: E402
from perception_r1.data import Record, write_folder  # noqa: E402

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
ANNOTATIONS = [["m\\angle EYS = 90^\\circ", "AB = 5\\sqrt{2}"], ["\\overline{AB} \\perp \\overline{CD}", "x = \\frac{1}{2}"],
               ["m \\widehat{CZ} = 40", "\\triangle ABC \\sim \\triangle DEF"], ["CD = 3", "EF = 4"]]
# Clicks on the first six of eight annotations: True = correct. 4 of 6 correct.
CLICKS = [True, True, False, True, True, False]


def _dataset(root: Path, annotations) -> Path:
    from PIL import Image, ImageDraw

    records = []
    for i, anns in enumerate(annotations):
        img = Image.new("RGB", (160, 120), "white")
        ImageDraw.Draw(img).line((10, 100, 150, 20), fill="black", width=3)
        path = root.parent / f"{root.name}-fig{i}.png"
        img.save(path)
        records.append(Record(id=f"geo-{i}", images=[str(path)], problem="In $\\odot X$, find $m\\angle 1$.",
                              answer="40", visual_annotations=list(anns)))
    return write_folder(records, root)


def _browser(tmp_path: Path, name: str, mobile: bool = False):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path / ('profile-' + name)}")
    (tmp_path / "downloads").mkdir(exist_ok=True)
    opts.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                           "download.prompt_for_download": False})
    if mobile:
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0}})
    return webdriver.Chrome(options=opts, service=Service(DRIVER))


def _counter(d) -> str:
    return d.find_element(By.ID, "done").text


def _checked(d) -> list[str | None]:
    out = []
    for row in d.find_elements(By.CSS_SELECTOR, "tr[data-id]"):
        chosen = [i.get_attribute("value") for i in row.find_elements(By.TAG_NAME, "input") if i.is_selected()]
        out.append(chosen[0] if chosen else None)
    return out


def _warns_before_leaving(d) -> bool:
    return d.execute_script("const e=new Event('beforeunload',{cancelable:true});window.dispatchEvent(e);"
                            "return e.defaultPrevented;")


def _one_line_error(argv, capsys) -> str:
    code = main(argv)
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1, (code, err)
    return err[0]


@pytest.fixture
def page(tmp_path):
    data = _dataset(tmp_path / "ann", ANNOTATIONS)
    assert main(["audit", str(data), "--out", str(tmp_path / "audit.html")]) == 0
    return data, (tmp_path / "audit.html").resolve().as_uri()


def test_an_auditor_session(page, tmp_path, capsys):
    data, url = page
    d = _browser(tmp_path, "desktop")
    try:
        d.get(url)
        assert _counter(d) == "0 / 8 judged"
        rows = d.find_elements(By.CSS_SELECTOR, "tr[data-id]")
        for row, correct in zip(rows, CLICKS):
            row.find_element(By.CSS_SELECTOR, f"input[value='{1 if correct else 0}']").click()
        expected = [("1" if c else "0") for c in CLICKS] + [None, None]
        assert _counter(d) == "6 / 8 judged" and _checked(d) == expected
        assert _warns_before_leaving(d)

        d.refresh()  # choices kept in the browser, restored on reload
        assert _checked(d) == expected and _counter(d) == "6 / 8 judged"
        d.get("data:text/html,<p>elsewhere</p>")
        d.back()  # and after Back the counter counts what is on screen
        time.sleep(0.3)
        assert _checked(d) == expected and _counter(d) == "6 / 8 judged"

        pending = d.find_elements(By.CSS_SELECTOR, "section.pending")
        assert [s.get_attribute("data-problem") for s in pending] == ["geo-3"]
        assert pending[0].find_element(By.CLASS_NAME, "todo").text == "2 unanswered"
        d.execute_script("window.scrollTo(0, 0)")
        d.find_element(By.ID, "next").click()
        top = d.execute_script("return arguments[0].getBoundingClientRect().top", pending[0])
        assert 0 <= top < d.execute_script("return window.innerHeight")

        cell = d.find_element(By.CSS_SELECTOR, "tr[data-id] td")
        assert cell.text.replace(" ", "") == "m∠EYS=90°" and "\\" not in d.find_element(By.TAG_NAME, "body").text
        shot = tmp_path / "math.png"
        cell.screenshot(str(shot))
        d.save_screenshot(str(tmp_path / "page.png"))

        d.find_element(By.ID, "save").click()
        deadline = time.time() + 20
        while time.time() < deadline and not list((tmp_path / "downloads").glob("verdicts-*.json")):
            time.sleep(0.2)
        assert not _warns_before_leaving(d)  # downloaded: nothing to lose
    finally:
        d.quit()

    from PIL import Image

    img = Image.open(shot).convert("L")
    dark = sum(img.histogram()[:100])
    assert img.width > 40 and dark > 30, "the rendered annotation is not visible in the screenshot"

    (file,) = (tmp_path / "downloads").glob("verdicts-*.json")
    assert main(["audit", str(data), "--verdicts", str(tmp_path / "downloads")]) == 0
    out = capsys.readouterr().out
    assert f"from {sum(CLICKS)}/{len(CLICKS)} annotations" in out and "2 left unjudged" in out

    verdicts = json.loads(file.read_text())
    verdicts["verdicts"].append(verdicts["verdicts"][0])
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps(verdicts))
    assert "judges annotation 0 again" in _one_line_error(["audit", str(data), "--verdicts", str(twice)], capsys)
    other = _dataset(tmp_path / "other", [[a + " " for a in anns] for anns in ANNOTATIONS])
    assert "another dataset" in _one_line_error(["audit", str(other), "--verdicts", str(file)], capsys)


def test_text_is_readable_on_a_phone(page, tmp_path):
    _, url = page
    d = _browser(tmp_path, "phone", mobile=True)
    try:
        d.get(url)
        smallest = d.execute_script("""
            const scale = window.visualViewport.scale;
            let min = 1e9;
            for (const el of document.querySelectorAll('body *')) {
              const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
              if (!own || !el.getClientRects().length) continue;
              min = Math.min(min, parseFloat(getComputedStyle(el).fontSize) * scale);
            }
            return min;""")
    finally:
        d.quit()
    assert smallest >= 12, f"smallest text on a 360 px phone is {smallest:.1f} px"
