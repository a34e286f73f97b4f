#!/usr/bin/env python3
"""Turn a site made by gen_posts.py into one where every post is a folder
with a photo, for herald and for Hugo alike.

Usage: gen_images.py DIR

For each post, herald's `posts/NAME.md` becomes `posts/NAME/index.md` and
Hugo's `content/posts/NAME.md` a page bundle `content/posts/NAME/index.md`;
each gets `foto.jpg` beside it and `![Foto NAME](foto.jpg)` after its text.
Hugo gets a render hook resizing each image to 480, 960 and 1600 pixels
(herald's default `[images] widths`) with Lanczos at JPEG quality 82, as
herald does, and writing the same `srcset`.

The photo is 3000 x 2000 pixels (a 6 MP camera picture), drawn once as
noisy gradients and encoded with `cjpeg -quality 90` (libjpeg-turbo-progs);
each post's copy differs in a JPEG comment segment naming the post, so every
file has its own bytes (and cache key) while the decoding, resizing and
encoding work is the same for each. Standard library and cjpeg only.
"""

import os
import random
import subprocess
import sys

WIDTH, HEIGHT = 3000, 2000

HUGO_HOOK = """\
{{- $img := .Page.Resources.GetMatch .Destination -}}
{{- with $img -}}
{{- $s := .Resize "480x" -}}{{- $m := .Resize "960x" -}}{{- $l := .Resize "1600x" -}}
<img src="{{ $m.RelPermalink }}" srcset="{{ $s.RelPermalink }} 480w, {{ $m.RelPermalink }} 960w, {{ $l.RelPermalink }} 1600w, {{ .RelPermalink }} {{ .Width }}w" sizes="(max-width: 960px) 100vw, 960px" width="{{ $m.Width }}" height="{{ $m.Height }}" alt="{{ $.Text }}" loading="lazy" decoding="async">
{{- end -}}
"""

HUGO_IMAGING = """
[imaging]
quality = 82
resampleFilter = "Lanczos"
"""


def photo(path):
    """Writes the base photo: a PPM drawn here, encoded by cjpeg."""
    rng = random.Random("herald-bench-photo")
    noise = bytes(rng.randrange(0, 40) for _ in range(WIDTH * 3 + 997))
    rows = []
    for y in range(HEIGHT):
        base = bytearray(WIDTH * 3)
        g = 60 + y * 120 // HEIGHT
        base[0::3] = bytes((40 + x * 180 // WIDTH) for x in range(WIDTH))
        base[1::3] = bytes([g]) * WIDTH
        base[2::3] = bytes((200 - x * 120 // WIDTH) for x in range(WIDTH))
        shift = (y * 7919) % 997
        n = noise[shift:shift + WIDTH * 3]
        rows.append(bytes(min(255, a + b) for a, b in zip(base, n)))
    ppm = path + ".ppm"
    with open(ppm, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (WIDTH, HEIGHT))
        f.writelines(rows)
    with open(path, "wb") as out:
        subprocess.run(["cjpeg", "-quality", "90", ppm], stdout=out, check=True)
    os.remove(ppm)


def with_comment(jpeg, text):
    """`jpeg` with a COM segment holding `text` right after its SOI marker."""
    data = text.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(data) + 2).to_bytes(2, "big") + data + jpeg[2:]


def bundle(posts_dir, name, jpeg):
    """posts_dir/NAME.md -> posts_dir/NAME/index.md with foto.jpg."""
    stem = name[:-3]
    folder = os.path.join(posts_dir, stem)
    os.makedirs(folder)
    with open(os.path.join(posts_dir, name), encoding="utf-8") as f:
        text = f.read()
    os.remove(os.path.join(posts_dir, name))
    with open(os.path.join(folder, "index.md"), "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + "\n\n![Foto %s](foto.jpg)\n" % stem)
    with open(os.path.join(folder, "foto.jpg"), "wb") as f:
        f.write(with_comment(jpeg, stem))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gen_images.py DIR\n")
        return 2
    root = argv[1]
    base = os.path.join(root, "base.jpg")
    photo(base)
    with open(base, "rb") as f:
        jpeg = f.read()
    os.remove(base)
    for posts_dir in (os.path.join(root, "posts"), os.path.join(root, "hugo", "content", "posts")):
        for name in sorted(os.listdir(posts_dir)):
            if name.endswith(".md"):
                bundle(posts_dir, name, jpeg)
    hooks = os.path.join(root, "hugo", "layouts", "_default", "_markup")
    os.makedirs(hooks, exist_ok=True)
    with open(os.path.join(hooks, "render-image.html"), "w", encoding="utf-8") as f:
        f.write(HUGO_HOOK)
    # Hugo gives up on a page after 30 s by default; on a loaded 2-core
    # machine processing 1,000 photos takes it longer than that.
    config = os.path.join(root, "hugo", "config.toml")
    with open(config, encoding="utf-8") as f:
        text = f.read()
    with open(config, "w", encoding="utf-8") as f:
        f.write('timeout = "2h"\n' + text + HUGO_IMAGING)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
