from tests.e2e.test_page_tools import *  # noqa
from tests.e2e.test_page_tools import browser_type_launch_args, pages_url, upstream, console_errors  # noqa

def test_dbg(page, pages_url, upstream):
    page.goto(f"{pages_url}?endpoint=fake-connect&autoconnect=1")
    page.wait_for_timeout(4000)
    print(page.evaluate("""() => ({state: rtcBridge.state, ice: rtcBridge.pc?.iceConnectionState, conn: rtcBridge.pc?.connectionState, sdp: rtcBridge.pc?.localDescription?.sdp.split('\\n').filter(l => l.startsWith('a=candidate')), remote: rtcBridge.pc?.remoteDescription?.sdp.split('\\n').filter(l => l.startsWith('a=candidate'))})"""))
