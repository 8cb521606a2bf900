"""Demo stamp images: a blue signature and a red seal, transparent, deterministic; the PKI writes them."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image

from config.settings import Settings
from models.signing import demo_pki, pki
from models.signing.demo_stamps import SEAL_RED, SIGNATURE_INK, mm_to_px, seal_image_png, signature_image_png


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def _opaque_colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {pixel[:3] for pixel in image.get_flattened_data() if pixel[3] == 255}


def test_the_signature_is_blue_ink_on_a_transparent_background():
    image = _open(signature_image_png("Trần Văn Minh"))

    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    assert _opaque_colours(image) == {SIGNATURE_INK}
    alpha = image.getchannel("A")
    assert 0.01 < sum(1 for a in alpha.get_flattened_data() if a) / (image.width * image.height) < 0.3


def test_the_signature_depends_on_the_name_only():
    assert signature_image_png("Trần Văn Minh") == signature_image_png("Trần Văn Minh")
    assert signature_image_png("Trần Văn Minh") != signature_image_png("Bùi Đức Long")


def test_the_seal_is_round_red_and_actual_size():
    image = _open(seal_image_png("Sở Tài chính tỉnh Hà Nam"))

    assert image.mode == "RGBA"
    assert image.size == (mm_to_px(36), mm_to_px(36))
    assert image.info["dpi"] == pytest.approx((300, 300), abs=1)
    assert image.getpixel((0, 0))[3] == 0  # outside the ring
    assert _opaque_colours(image) == {SEAL_RED}
    centre = image.getpixel((image.width // 2, image.height // 2))
    assert centre[:3] == SEAL_RED and centre[3] == 255  # the star


def test_the_pki_writes_an_image_per_leader_and_agency_and_fills_in_missing_ones(tmp_path):
    settings = Settings(var_dir=tmp_path)
    demo_pki.ensure_demo_pki(settings)
    signature = pki.signature_image_path(settings, "lanhdao")
    seal = pki.seal_image_path(settings, "000.00.01.H23")
    assert signature == tmp_path / "pki" / "images" / "people" / "lanhdao.png"
    assert seal == tmp_path / "pki" / "images" / "agencies" / "000.00.01.H23.png"
    assert _open(signature.read_bytes()).mode == "RGBA" and _open(seal.read_bytes()).mode == "RGBA"

    # An administrator's scan is kept; a PKI made before images existed gets them, same keys.
    signature.write_bytes(signature_image_png("Chữ ký thật"))
    shutil.rmtree(pki.images_dir(settings) / "agencies")
    p12 = pki.demo_pkcs12_path(settings, "lanhdao").read_bytes()

    assert demo_pki.ensure_demo_pki(settings) is False

    assert signature.read_bytes() == signature_image_png("Chữ ký thật")
    assert seal.exists()
    assert pki.demo_pkcs12_path(settings, "lanhdao").read_bytes() == p12


def test_image_lookups_refuse_names_that_leave_the_folder(tmp_path):
    settings = Settings(var_dir=tmp_path)
    with pytest.raises(ValueError):
        pki.signature_image_path(settings, "../secret")
    with pytest.raises(ValueError):
        pki.seal_image_path(settings, ".hidden")
