"""Draw data/experienced-hire-photo.jpg, the example profile's ID photo (증명사진): a drawn
head-and-shoulders figure on a plain background, 708 × 944 pixels (3 × 4 cm at 600 dpi).
No person is pictured; the picture is released under CC0 1.0 with the rest of the example
data. Run: `.venv/bin/python scripts/example-photo.py` (Pillow)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

W, H = 708, 944
image = Image.new("RGB", (W, H))
draw = ImageDraw.Draw(image)
for y in range(H):  # a studio background: light blue-grey, darker at the bottom
    shade = int(226 - 30 * y / H)
    draw.line([(0, y), (W, y)], fill=(shade - 14, shade - 4, shade + 6))
draw.ellipse((104, 640, 604, 1180), fill=(38, 52, 78))          # shoulders: a dark jacket
draw.polygon([(300, 650), (354, 790), (408, 650)], fill=(245, 245, 242))  # shirt collar
draw.rectangle((312, 520, 396, 660), fill=(226, 186, 158))      # neck
draw.ellipse((222, 228, 486, 560), fill=(236, 198, 170))        # face
draw.chord((206, 170, 502, 470), 180, 360, fill=(34, 30, 32))   # hair
draw.ellipse((206, 300, 238, 380), fill=(230, 190, 164))        # ears
draw.ellipse((470, 300, 502, 380), fill=(230, 190, 164))
for x in (300, 408):                                            # eyes
    draw.ellipse((x - 12, 372, x + 12, 388), fill=(40, 34, 34))
draw.arc((318, 450, 390, 490), 20, 160, fill=(150, 90, 80), width=4)  # a slight smile
image = image.filter(ImageFilter.GaussianBlur(1.2))
image.save(Path(__file__).resolve().parent.parent / "data" / "experienced-hire-photo.jpg", quality=88)
