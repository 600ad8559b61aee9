"""A user's own image set in folders, read with Pillow (the transfer chapter's `data_path`).

Accepted layouts (the class comes from the folder or from the file name, never from the pixels):

- **class folders**: `root/<class>/*.jpg` (also .jpeg, .png, .bmp, .gif, .webp, any case), one folder per
  class; no split, so the chapter splits off its own test images and says so.
- **split folders**: `root/<part>/<class>/*.jpg`, parts named `train`/`training`, `val`/`valid`/
  `validation` and `test`/`evaluation`/`eval` (Kaggle's copy of Food-11 has this shape).
- **Food-11 names**: `root/training/`, `root/validation/`, `root/evaluation/` holding `<class>_<n>.jpg`,
  the class a number (Food-11's 11 numbered categories are named; other numbers are kept as numbers).
  A single folder of such files (no parts) works too.

Every image is decoded to RGB and brought to `size` × `size` pixels: resized so that its shorter side is
`size`, then the centre cropped (the usual preparation for ImageNet-pretrained networks); stored as
uint8 N × 3 × size × size. A folder that is not one of these layouts, an image Pillow cannot read, a
file name without a class, a class without images, or a split part with classes the training part does
not have, is a UserError naming the folder or file. `scan` finds every fault but an unreadable image
without decoding any pixel, so `mlplab run` (which fingerprints the folder first) stops with exit 2 and
one line before the chapter starts; an image Pillow cannot decode stops the chapter itself, naming it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlplab.errors import UserError

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
PARTS = {"train": "train", "training": "train", "val": "validation", "valid": "validation",
         "validation": "validation", "test": "test", "evaluation": "test", "eval": "test"}
# Food-11 (Singla, Yuan & Ebrahimi, 2016): the class number in each file name, in the data set's order.
FOOD11 = ("Bread", "Dairy product", "Dessert", "Egg", "Fried food", "Meat", "Noodles/Pasta", "Rice", "Seafood",
          "Soup", "Vegetable/Fruit")
_NUMBERED = re.compile(r"^(\d+)_(\d+)$")
LAYOUT_HINT = ("expected root/<class>/*.jpg, root/<train|val|test>/<class>/*.jpg, or Food-11's training/, "
               "validation/ and evaluation/ folders of <class>_<n>.jpg")


@dataclass
class ImageFolderSet:
    """The images of a folder set by part ("train", and "validation" / "test" when the layout has them)."""

    images: dict[str, np.ndarray]      # part -> uint8 N × 3 × size × size
    labels: dict[str, np.ndarray]      # part -> class names (object array)
    classes: tuple[str, ...]
    layout: str                        # class_folders | split_folders | food11
    root: Path
    files: dict[str, list[str]] = field(default_factory=dict)   # part -> paths relative to root
    sha256: str = ""

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.images)

    def count(self) -> int:
        return int(sum(len(v) for v in self.labels.values()))


def _is_image(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if _is_image(p))


def _subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _class_folders(folder: Path, shown: str) -> list[tuple[Path, str]]:
    """(file, class) of `folder/<class>/*`; a class folder without images is an error."""
    out = []
    for sub in _subdirs(folder):
        files = _images_in(sub)
        if not files:
            raise UserError(f"{shown}/{sub.name}/: a class folder without images ({', '.join(EXTENSIONS)})")
        out += [(f, sub.name) for f in files]
    return out


def food11_class(name: str) -> str:
    """The class of a Food-11 file stem `<class>_<n>`: Food-11's category name for 0–10, else the number."""
    m = _NUMBERED.match(name)
    if not m:
        raise ValueError(name)
    code = int(m.group(1))
    return FOOD11[code] if code < len(FOOD11) else str(code)


def _numbered(folder: Path, shown: str) -> list[tuple[Path, str]]:
    out = []
    for f in _images_in(folder):
        try:
            out.append((f, food11_class(f.stem)))
        except ValueError:
            raise UserError(f"{shown}/{f.name}: not a Food-11 file name <class>_<n> (e.g. 3_127.jpg)") from None
    return out


def _part_files(folder: Path, shown: str) -> tuple[list[tuple[Path, str]], str]:
    """One part's (file, class) pairs: class folders, or Food-11 numbered files directly inside."""
    if _subdirs(folder):
        if _images_in(folder):
            raise UserError(f"{shown}/: holds both images and class folders; {LAYOUT_HINT}")
        return _class_folders(folder, shown), "class"
    if _images_in(folder):
        return _numbered(folder, shown), "food11"
    raise UserError(f"{shown}/: no images and no class folders; {LAYOUT_HINT}")


def scan(root: str | Path) -> tuple[str, dict[str, list[tuple[Path, str]]]]:
    """The layout of `root` and its files by part, without decoding any image."""
    root = Path(root)
    shown = root.as_posix().rstrip("/")
    if not root.exists():
        raise UserError(f"{shown}: folder not found")
    if not root.is_dir():
        raise UserError(f"{shown}: not a folder of images; {LAYOUT_HINT}")
    subs = _subdirs(root)
    parts = {s: PARTS[s.name.lower()] for s in subs if s.name.lower() in PARTS}
    if parts:
        if len(set(parts.values())) != len(parts):
            names = sorted(s.name for s in parts)
            raise UserError(f"{shown}/: two folders for the same part ({', '.join(names)}); keep one of each")
        others = [s.name for s in subs if s not in parts]
        if others:
            raise UserError(f"{shown}/{others[0]}/: neither a split part ({', '.join(sorted(PARTS))}) nor allowed "
                            "beside them; put class folders inside the parts")
        if "train" not in parts.values():
            raise UserError(f"{shown}/: split folders without a training part (train/ or training/)")
        files, kinds = {}, set()
        for folder, part in parts.items():
            files[part], kind = _part_files(folder, f"{shown}/{folder.name}")
            kinds.add(kind)
        layout = "food11" if kinds == {"food11"} else "split_folders"
        return layout, _checked(files, shown)
    if subs:
        if _images_in(root):
            raise UserError(f"{shown}/: holds both images and class folders; {LAYOUT_HINT}")
        return "class_folders", _checked({"train": _class_folders(root, shown)}, shown)
    if _images_in(root):
        return "food11", _checked({"train": _numbered(root, shown)}, shown)
    raise UserError(f"{shown}/: no images; {LAYOUT_HINT}")


def _checked(files: dict[str, list[tuple[Path, str]]], shown: str, min_classes: int = 2) -> dict:
    """At least `min_classes` classes in the training part; no class in another part that it lacks."""
    classes = {c for _, c in files["train"]}
    if len(classes) < min_classes:
        raise UserError(f"{shown}/: {len(classes)} class in the training images; at least {min_classes} are needed")
    for part, pairs in files.items():
        extra = sorted({c for _, c in pairs} - classes, key=_class_key)
        if extra:
            raise UserError(f"{shown}/: the {part} images hold class {extra[0]!r}, which the training images do "
                            "not have")
    return files


def read_image(path: Path, size: int) -> np.ndarray:
    """One image as uint8 3 × size × size: RGB, shorter side resized to `size`, centre cropped."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale when that is enough
            rgb = ImageOps.fit(img.convert("RGB"), (size, size), method=Image.Resampling.BILINEAR)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable image ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})") \
            from None
    return np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1)


def load_image_folder(root: str | Path, *, size: int = 64) -> ImageFolderSet:
    """Read every image of a folder set (see the module docstring) at `size` × `size` pixels."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 8:
        raise UserError(f"image size {size!r}: expected an integer >= 8 (pixels)")
    root = Path(root)
    layout, files = scan(root)
    classes = tuple(sorted({c for _, c in files["train"]}, key=_class_key))
    digest = hashlib.sha256()
    images, labels, names = {}, {}, {}
    for part, pairs in files.items():
        arr = np.empty((len(pairs), 3, size, size), dtype=np.uint8)
        for i, (f, _) in enumerate(pairs):
            arr[i] = read_image(f, size)
            digest.update(f.relative_to(root).as_posix().encode())
            digest.update(f.read_bytes())
        images[part] = arr
        labels[part] = np.asarray([c for _, c in pairs], dtype=object)
        names[part] = [f.relative_to(root).as_posix() for f, _ in pairs]
    return ImageFolderSet(images, labels, classes, layout, root, names, digest.hexdigest())


def _class_key(name: str):
    """Classes in their natural order: Food-11's by number, numbered names numerically, others by name."""
    if name in FOOD11:
        return (0, FOOD11.index(name), "")
    return (1, int(name), "") if name.isdigit() else (2, 0, name.lower())


def fingerprint(root: str | Path) -> dict:
    """What the runner's staleness check compares: the layout and a digest of every image's relative path,
    size and modification time (cheap: no image is read)."""
    layout, files = scan(root)
    h = hashlib.sha256()
    for part in sorted(files):
        for f, c in files[part]:
            st = f.stat()
            h.update(f"{part}|{f.relative_to(Path(root)).as_posix()}|{c}|{st.st_size}|{st.st_mtime_ns};".encode())
    return {"source": "folder", "layout": layout, "files": h.hexdigest(),
            "images": sum(len(v) for v in files.values())}
