"""A package built with the official `anki` library holding what shared decks show beyond text: a hint,
a sound, an image on the answer, an Image Occlusion note (Anki's own type: a rectangle hiding all, an
ellipse hiding one, a polygon hiding all) and an Image Occlusion Enhanced note (the add-on's type: SVG
masks laid over the image)."""

from __future__ import annotations

from pathlib import Path

from anki.import_export_pb2 import ExportAnkiPackageOptions
from anki_client import new_collection

IMAGE_SIZE = (200, 100)
WHITE = (255, 255, 255)
OCCLUSION = (
    "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4:oi=1}}"
    "{{c2::image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.2}}"
    "{{c3::image-occlusion:polygon:points=.7,.1 .9,.1 .8,.4:oi=1}}"
)
# The add-on's masks, in the image's pixels: the question's active shape red, the others yellow; the
# answer's mask leaves the active one out.
IOE_QUESTION_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><g><title>Masks</title>'
    '<rect x="10" y="10" width="60" height="30" fill="#FF7E7E" stroke="#2D2D2D" class="qshape"/>'
    '<rect x="120" y="50" width="50" height="30" fill="#FFEBA2" stroke="#2D2D2D" class="shape"/></g></svg>'
)
IOE_ANSWER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><g><title>Masks</title>'
    '<rect x="120" y="50" width="50" height="30" fill="#FFEBA2" stroke="#2D2D2D" class="shape"/></g></svg>'
)
IOE_FIELDS = (
    "ID (hidden)", "Header", "Image", "Question Mask", "Footer", "Remarks", "Sources", "Extra 1",
    "Extra 2", "Answer Mask", "Original Mask",
)  # fmt: skip
IOE_FRONT = """{{#Image}}
<div id="io-header">{{Header}}</div>
<div id="io-wrapper">
  <div id="io-overlay">{{Question Mask}}</div>
  <div id="io-original">{{Image}}</div>
</div>
<div id="io-footer">{{Footer}}</div>
{{/Image}}"""
IOE_BACK = """{{#Image}}
<div id="io-header">{{Header}}</div>
<div id="io-wrapper">
  <div id="io-overlay">{{Answer Mask}}</div>
  <div id="io-original">{{Image}}</div>
</div>
{{#Footer}}<div id="io-footer">{{Footer}}</div>{{/Footer}}
<button id="io-revl-btn" onclick="toggle();">Toggle Masks</button>
<div id="io-extra-wrapper"><div id="io-extra">
{{#Remarks}}<div class="io-extra-entry"><div class="io-field-descr">Remarks</div>{{Remarks}}</div>{{/Remarks}}
</div></div>
{{/Image}}"""


def picture_bytes(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def build_media_package(folder: Path) -> Path:
    col = new_collection(folder / "source")
    media = Path(col.media.dir())
    models = col.models
    hinted = models.new("Hinted")
    for name in ("Front", "Back", "Hint", "Sound"):
        models.add_field(hinted, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"] = "{{Front}}{{hint:Hint}}{{Sound}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Back}}"
    models.add_template(hinted, template)
    models.add(hinted)
    note = col.new_note(models.by_name("Hinted"))
    note["Front"], note["Back"] = "Capital of France?", 'Paris<br><img src="map of france.png">'
    note["Hint"], note["Sound"] = "starts with <b>P</b>", "[sound:paris.mp3]"
    col.add_note(note, col.decks.id("Media"))

    occlusion = col.new_note(models.by_name("Image Occlusion"))
    occlusion["Occlusion"], occlusion["Image"] = OCCLUSION, '<img src="anatomy.png">'
    occlusion["Header"] = "Label the parts"
    col.add_note(occlusion, col.decks.id("Media"))

    enhanced = models.new("Image Occlusion Enhanced")
    for name in IOE_FIELDS:
        models.add_field(enhanced, models.new_field(name))
    template = models.new_template("IO Card")
    template["qfmt"], template["afmt"] = IOE_FRONT, IOE_BACK
    models.add_template(enhanced, template)
    enhanced["css"] = "#io-overlay { position: absolute; top: 0; width: 100%; z-index: 3; }"
    models.add(enhanced)
    ioe = col.new_note(models.by_name("Image Occlusion Enhanced"))
    ioe["ID (hidden)"], ioe["Header"] = "ioe-1", "Name the organ"
    ioe["Image"] = '<img src="organs.png">'
    ioe["Question Mask"], ioe["Answer Mask"] = '<img src="ioe-1-Q.svg">', '<img src="ioe-1-A.svg">'
    ioe["Remarks"] = "From a diagram"
    col.add_note(ioe, col.decks.id("Media"))

    (media / "anatomy.png").write_bytes(picture_bytes(IMAGE_SIZE, WHITE))
    (media / "organs.png").write_bytes(picture_bytes(IMAGE_SIZE, WHITE))
    (media / "map of france.png").write_bytes(picture_bytes((320, 240), (40, 120, 200)))
    (media / "ioe-1-Q.svg").write_text(IOE_QUESTION_SVG)
    (media / "ioe-1-A.svg").write_text(IOE_ANSWER_SVG)
    (media / "paris.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00")
    path = folder / "media.apkg"
    col.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(with_scheduling=False, with_media=True),
        limit=None,
    )
    col.close()
    return path
