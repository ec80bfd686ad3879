"""The README's picture of the backprop explorer: write LeNet's page (batch 8, as
``python -m visualize examples/train_mnist.py --html backprop.html``), open it in
headless Chromium (Debian's chromium + chromium-driver, and selenium), step to
conv2's backward and save a screenshot.

    python examples/explorer_screenshot.py docs/backprop_explorer.png
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]


def main(out="docs/backprop_explorer.png"):
    work = Path(tempfile.mkdtemp(prefix="explorer-"))
    page = work / "backprop.html"
    subprocess.run([sys.executable, "-m", "visualize", str(ROOT / "examples" / "train_mnist.py"),
                    "--html", str(page)], check=True, cwd=ROOT)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run",
                 f"--user-data-dir={work / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.set_window_size(1600, 1100)
        driver.get(page.as_uri())
        # Step to conv2's backward: the kernel, its rotation and the full convolution.
        while "conv2" not in driver.find_element(By.ID, "panel").text.split("\n", 2)[1]:
            driver.find_element(By.ID, "next").click()
        driver.save_screenshot(os.fspath(out))
    finally:
        driver.quit()
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="docs/backprop_explorer.png",
                        help="the PNG to write (default: %(default)s)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(parse_args().out)
