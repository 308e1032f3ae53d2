import sys, collections, time
from textual.widget import Widget
from textual.screen import Screen
from tests.flashapp.tui.test_demo_widgets import TINY, CONCEPTS, check_panels_fit, DemoScreen, make_app
LOG=[]; REQ=collections.Counter(); ON=[False]
real_refresh = Widget.refresh
def refresh(self, *regions, repaint=True, layout=False, recompose=False):
    if layout and ON[0]:
        f = sys._getframe(1); chain=[]
        for _ in range(3):
            chain.append(f.f_code.co_name); f=f.f_back
        REQ[(type(self).__name__, "<".join(chain))]+=1
    return real_refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)
real_rl = Screen._refresh_layout
def rl(self, *a, **k):
    if ON[0]:
        f=sys._getframe(1); LOG.append((type(self).__name__, f.f_code.co_name, f.f_back.f_code.co_name, dict(REQ))); REQ.clear()
    return real_rl(self, *a, **k)

async def test_probe(monkeypatch):
    monkeypatch.setattr(Screen, "_refresh_layout", rl)
    monkeypatch.setattr(Widget, "refresh", refresh)
    app = make_app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        for concept in ["autoencoder"]:
            demo = DemoScreen(concept, TINY.get(concept,{}), device="cpu"); app.push_screen(demo); await pilot.pause()
            await pilot.press("r")
            while demo.running or demo.result is None: await pilot.pause(0.05)
            await pilot.pause()
            ON[0]=True
            await pilot.resize_terminal(100, 32); await pilot.pause()
            ON[0]=False
    for l in LOG: print(l[:3]); [print("     ", k, v) for k,v in l[3].items()]
    print(dict(REQ))
