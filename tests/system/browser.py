"""Headless Chromium driven through Selenium (Debian's python3-selenium and chromium-driver):
the dashboard as a person uses it, logged in."""
import os
import shutil
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ARTEFACTS = os.environ.get("HBMON_ARTEFACTS", os.path.join(tempfile.gettempdir(),
                                                           "hbmon-screenshots"))


class Browser:
    """One browser, its own profile (cookies), width × height pixels."""

    def __init__(self, width=1200, height=900):
        exe, driver = shutil.which("chromium"), shutil.which("chromedriver")
        assert exe and driver, "chromium or chromedriver is missing: run make deps"
        self.profile = tempfile.mkdtemp(prefix="hbmon-chromium-")
        o = webdriver.ChromeOptions()
        o.binary_location = exe
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     f"--user-data-dir={self.profile}", f"--window-size={width},{height}"):
            o.add_argument(flag)
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service(driver), options=o)
        self.d.set_page_load_timeout(60)
        if width < 500:
            # headless Chromium keeps its window 500 px wide at least: a phone's screen is
            # emulated (DevTools), as a phone reads the viewport tag
            self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1,
                                    "mobile": True})

    def get(self, url):
        self.d.get(url)
        return self

    def dom(self, url=None):
        """The page as the browser built it (text escaped as it serializes it)."""
        if url:
            self.d.get(url)
        return self.d.page_source

    def login(self, base, user, password):
        """The log-in form filled and sent; returns the path it ends on."""
        self.d.get(base + "/login")
        self.d.find_element(By.NAME, "user").send_keys(user)
        self.d.find_element(By.NAME, "password").send_keys(password)
        self.click_and_wait(self.d.find_element(By.CSS_SELECTOR, "main.login button[type=submit]"))
        return self.path()

    def console(self):
        """What the browser said in its console since the last call (CSP refusals among it)."""
        return [e["message"] for e in self.d.get_log("browser")]

    def click_and_wait(self, element):
        """Clicks (a submit button, a link) and waits for the next page to be loaded."""
        from selenium.common.exceptions import (StaleElementReferenceException,
                                                WebDriverException)
        from selenium.webdriver.support.ui import WebDriverWait

        def gone(_):
            try:
                element.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as e:
                # chromedriver may say it so while the old page is torn down
                if "does not belong to the document" in str(e):
                    return True
                raise
        element.click()
        WebDriverWait(self.d, 30).until(gone)
        WebDriverWait(self.d, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def path(self):
        return self.d.execute_script("return location.pathname")

    def find(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def width(self, css):
        """The widest element matching css, in CSS pixels."""
        return self.d.execute_script(
            "return Math.max(0, ...Array.from(document.querySelectorAll(arguments[0]))"
            ".map(e => e.getBoundingClientRect().width))", css)

    def screenshot(self, name):
        """Kept as a test artefact (HBMON_ARTEFACTS, /tmp/hbmon-screenshots by default)."""
        os.makedirs(ARTEFACTS, exist_ok=True)
        path = os.path.join(ARTEFACTS, name + ".png")
        self.d.save_screenshot(path)
        return path

    def close(self):
        try:
            self.d.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
