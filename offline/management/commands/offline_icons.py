"""Draw the app icons (static/icons/zhucun-192.png, -512.png) with Pillow; the committed PNGs came from here."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
RED = (183, 28, 28)


def draw(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    pen = ImageDraw.Draw(image)
    # Maskable icons keep their content inside the middle 80 %.
    try:
        font = ImageFont.truetype(FONT, int(size * 0.5))
        pen.text((size / 2, size / 2), "驻", fill="white", font=font, anchor="mm")
    except OSError:
        pad = size // 4
        pen.rectangle((pad, pad, size - pad, size - pad), outline="white", width=max(size // 24, 2))
    return image


class Command(BaseCommand):
    help = "Draw the web app icons into static/icons/."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static" / "icons"
        folder.mkdir(parents=True, exist_ok=True)
        for size in (192, 512):
            path = folder / f"zhucun-{size}.png"
            draw(size).save(path, optimize=True)
            self.stdout.write(f"{path} {path.stat().st_size} B")
