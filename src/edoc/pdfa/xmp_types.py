"""6.6.2.3.1: properties of the predefined XMP schemas (XMP Specification 2005) used with their value types.

Each known property has a type: a simple type (``Text``, ``Integer``, ``Real``, ``Boolean``, ``Date``,
``Rational``, ``URI``…), ``Lang Alt``, an array (``bag X``, ``seq X``, ``alt X``) or a structure. The value's
shape (plain text, array kind, structure) and, for simple values, its lexical form are checked; a qualified
value (``rdf:value`` with qualifiers) has the shape of its ``rdf:value``. Properties the table does not know
are not judged (they belong to 6.6.2.3.2, extension schemas).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from edoc.util.namespaces import RDF, XML

__all__ = ["SCHEMAS", "check_xmp_types"]

_RDF = RDF
_XML_LANG = f"{{{XML}}}lang"

#: simple types and the structures (``struct``) of XMP 2005
_S = "Text"


def _t(spec: str) -> dict[str, str]:
    out = {}
    for item in spec.split(";"):
        item = item.strip()
        if item:
            name, _, typ = item.partition(":")
            out[name.strip()] = typ.strip()
    return out


SCHEMAS: dict[str, dict[str, str]] = {
    "http://purl.org/dc/elements/1.1/": _t(
        "contributor: bag Text; coverage: Text; creator: seq Text; date: seq Date; description: Lang Alt;"
        "format: Text; identifier: Text; language: bag Text; publisher: bag Text; relation: bag Text;"
        "rights: Lang Alt; source: Text; subject: bag Text; title: Lang Alt; type: bag Text"),
    "http://ns.adobe.com/xap/1.0/": _t(
        "Advisory: bag Text; BaseURL: URI; CreateDate: Date; CreatorTool: Text; Identifier: bag Text; Label: Text;"
        "MetadataDate: Date; ModifyDate: Date; Nickname: Text; Rating: Real; Thumbnails: alt struct"),
    "http://ns.adobe.com/xap/1.0/rights/": _t(
        "Certificate: URI; Marked: Boolean; Owner: bag Text; UsageTerms: Lang Alt; WebStatement: URI"),
    "http://ns.adobe.com/xap/1.0/mm/": _t(
        "DerivedFrom: struct; DocumentID: URI; History: seq struct; InstanceID: URI; ManagedFrom: struct;"
        "Manager: Text; ManageTo: URI; ManageUI: URI; ManagerVariant: Text; RenditionClass: Text;"
        "RenditionParams: Text; VersionID: Text; Versions: seq struct; LastURL: URI; RenditionOf: struct;"
        "SaveID: Integer"),
    "http://ns.adobe.com/xap/1.0/bj/": _t("JobRef: bag struct"),
    "http://ns.adobe.com/xap/1.0/t/pg/": _t(
        "MaxPageSize: struct; NPages: Integer; Fonts: bag struct; Colorants: seq struct; PlateNames: seq Text"),
    "http://ns.adobe.com/pdf/1.3/": _t("Keywords: Text; PDFVersion: Text; Producer: Text"),
    "http://ns.adobe.com/photoshop/1.0/": _t(
        "AuthorsPosition: Text; CaptionWriter: Text; Category: Text; City: Text; Country: Text; Credit: Text;"
        "DateCreated: Date; Headline: Text; Instructions: Text; Source: Text; State: Text;"
        "SupplementalCategories: bag Text; TransmissionReference: Text; Urgency: Integer"),
    "http://ns.adobe.com/tiff/1.0/": _t(
        "ImageWidth: Integer; ImageLength: Integer; BitsPerSample: seq Integer; Compression: Integer;"
        "PhotometricInterpretation: Integer; Orientation: Integer; SamplesPerPixel: Integer;"
        "PlanarConfiguration: Integer; YCbCrSubSampling: seq Integer; YCbCrPositioning: Integer;"
        "XResolution: Rational; YResolution: Rational; ResolutionUnit: Integer; TransferFunction: seq Integer;"
        "WhitePoint: seq Rational; PrimaryChromaticities: seq Rational; YCbCrCoefficients: seq Rational;"
        "ReferenceBlackWhite: seq Rational; DateTime: Date; ImageDescription: Lang Alt; Make: Text; Model: Text;"
        "Software: Text; Artist: Text; Copyright: Lang Alt"),
    "http://ns.adobe.com/exif/1.0/": _t(
        "ExifVersion: Text; FlashpixVersion: Text; ColorSpace: Integer; ComponentsConfiguration: seq Integer;"
        "CompressedBitsPerPixel: Rational; PixelXDimension: Integer; PixelYDimension: Integer;"
        "UserComment: Lang Alt; RelatedSoundFile: Text; DateTimeOriginal: Date; DateTimeDigitized: Date;"
        "ExposureTime: Rational; FNumber: Rational; ExposureProgram: Integer; SpectralSensitivity: Text;"
        "ISOSpeedRatings: seq Integer; OECF: struct; ShutterSpeedValue: Rational; ApertureValue: Rational;"
        "BrightnessValue: Rational; ExposureBiasValue: Rational; MaxApertureValue: Rational;"
        "SubjectDistance: Rational; MeteringMode: Integer; LightSource: Integer; Flash: struct;"
        "FocalLength: Rational; SubjectArea: seq Integer; FlashEnergy: Rational; SpatialFrequencyResponse: struct;"
        "FocalPlaneXResolution: Rational; FocalPlaneYResolution: Rational; FocalPlaneResolutionUnit: Integer;"
        "SubjectLocation: seq Integer; ExposureIndex: Rational; SensingMethod: Integer; FileSource: Integer;"
        "SceneType: Integer; CFAPattern: struct; CustomRendered: Integer; ExposureMode: Integer;"
        "WhiteBalance: Integer; DigitalZoomRatio: Rational; FocalLengthIn35mmFilm: Integer;"
        "SceneCaptureType: Integer; GainControl: Integer; Contrast: Integer; Saturation: Integer;"
        "Sharpness: Integer; DeviceSettingDescription: struct; SubjectDistanceRange: Integer;"
        "ImageUniqueID: Text; GPSVersionID: Text; GPSLatitude: Text; GPSLongitude: Text; GPSAltitudeRef: Integer;"
        "GPSAltitude: Rational; GPSTimeStamp: Date; GPSSatellites: Text; GPSStatus: Text; GPSMeasureMode: Text;"
        "GPSDOP: Rational; GPSSpeedRef: Text; GPSSpeed: Rational; GPSTrackRef: Text; GPSTrack: Rational;"
        "GPSImgDirectionRef: Text; GPSImgDirection: Rational; GPSMapDatum: Text; GPSDestLatitude: Text;"
        "GPSDestLongitude: Text; GPSDestBearingRef: Text; GPSDestBearing: Rational; GPSDestDistanceRef: Text;"
        "GPSDestDistance: Rational; GPSProcessingMethod: Text; GPSAreaInformation: Text; GPSDifferential: Integer"),
    "http://ns.adobe.com/exif/1.0/aux/": _t("Lens: Text; SerialNumber: Text"),
    "http://ns.adobe.com/camera-raw-settings/1.0/": _t(
        "AutoBrightness: Boolean; AutoContrast: Boolean; AutoExposure: Boolean; AutoShadows: Boolean;"
        "BlueHue: Integer; BlueSaturation: Integer; Brightness: Integer; CameraProfile: Text;"
        "ChromaticAberrationB: Integer; ChromaticAberrationR: Integer; ColorNoiseReduction: Integer;"
        "Contrast: Integer; CropTop: Real; CropLeft: Real; CropBottom: Real; CropRight: Real; CropAngle: Real;"
        "CropWidth: Real; CropHeight: Real; CropUnits: Integer; Exposure: Real; GreenHue: Integer;"
        "GreenSaturation: Integer; HasCrop: Boolean; HasSettings: Boolean; LuminanceSmoothing: Integer;"
        "RawFileName: Text; RedHue: Integer; RedSaturation: Integer; Saturation: Integer; Shadows: Integer;"
        "ShadowTint: Integer; Sharpness: Integer; Temperature: Integer; Tint: Integer; ToneCurve: seq Text;"
        "ToneCurveName: Text; Version: Text; VignetteAmount: Integer; VignetteMidpoint: Integer;"
        "WhiteBalance: Text"),
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/": _t(
        "projectRef: struct; videoFrameRate: Text; videoFrameSize: struct; videoPixelAspectRatio: Rational;"
        "videoPixelDepth: Text; videoColorSpace: Text; videoAlphaMode: Text; videoAlphaPremultipleColor: struct;"
        "videoAlphaUnityIsTransparent: Boolean; videoCompressor: Text; videoFieldOrder: Text; pullDown: Text;"
        "audioSampleRate: Integer; audioSampleType: Text; audioChannelType: Text; audioCompressor: Text;"
        "speakerPlacement: Text; fileDataRate: Rational; tapeName: Text; altTapeName: Text;"
        "startTimecode: struct; altTimecode: struct; duration: struct; scene: Text; shotName: Text;"
        "shotDate: Date; shotLocation: Text; logComment: Text; markers: seq struct; contributedMedia: bag struct;"
        "absPeakAudioFilePath: URI; relativePeakAudioFilePath: URI; videoModDate: Date; audioModDate: Date;"
        "metadataModDate: Date; artist: Text; album: Text; trackNumber: Integer; genre: Text; copyright: Text;"
        "releaseDate: Date; composer: Text; engineer: Text; tempo: Real; instrument: Text; introTime: struct;"
        "outCue: struct; relativeTimestamp: struct; loop: Boolean; numberOfBeats: Real; key: Text;"
        "stretchMode: Text; timeScaleParams: struct; resampleParams: struct; beatSpliceParams: struct;"
        "timeSignature: Text; scaleType: Text"),
}

#: closed choices of XMP 2005 (values outside them are a type violation)
_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "videoPixelDepth"): frozenset(
        {"8Int", "16Int", "32Int", "32Float"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "videoColorSpace"): frozenset({"sRGB", "CCIR-601", "CCIR-709"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "videoAlphaMode"): frozenset({"straight", "pre-multiplied"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "videoFieldOrder"): frozenset({"Upper", "Lower", "Progressive"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "audioSampleType"): frozenset(
        {"8Int", "16Int", "32Int", "32Float"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "audioChannelType"): frozenset({"Mono", "Stereo", "5.1", "7.1"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "key"): frozenset(
        {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "stretchMode"): frozenset(
        {"Fixed length", "Time-Scale", "Resample", "Beat Splice", "Hybrid"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "timeSignature"): frozenset(
        {"2/4", "3/4", "4/4", "5/4", "7/4", "6/8", "9/8", "12/8", "other"}),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "scaleType"): frozenset({"Major", "Minor", "Both", "Neither"}),
    ("http://ns.adobe.com/camera-raw-settings/1.0/", "ToneCurveName"): frozenset(
        {"Linear", "Medium Contrast", "Strong Contrast", "Custom"}),
    ("http://ns.adobe.com/camera-raw-settings/1.0/", "WhiteBalance"): frozenset(
        {"As Shot", "Auto", "Daylight", "Cloudy", "Shade", "Tungsten", "Fluorescent", "Flash", "Custom"}),
}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
_LEX = {
    "Integer": re.compile(r"^[+-]?\d+$"),
    "Real": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
    "Boolean": re.compile(r"^(True|False)$"),
    "Date": _DATE,
    "Rational": re.compile(r"^[+-]?\d+/[+-]?\d+$"),
}


_RDF_VALUE = f"{{{_RDF}}}value"
_RDF_DESCRIPTION = f"{{{_RDF}}}Description"
_ARRAYS = {f"{{{_RDF}}}{kind}": kind.lower() for kind in ("Bag", "Seq", "Alt")}
#: depth of nested ``rdf:value`` forms followed (a qualified value inside a qualified value)
_MAX_VALUE_DEPTH = 8


def _fields(el: Any) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str)]


def _plain_attrs(el: Any) -> list[str]:
    """The attributes of ``el`` that are properties or qualifiers (not RDF syntax, not ``xml:lang``)."""
    return [k for k in el.attrib if not k.startswith(f"{{{_RDF}}}") and k != _XML_LANG]


def _shape(el: Any, depth: int = 0) -> tuple[str, list[Any]]:
    """``("simple", [text])``, ``("bag"|"seq"|"alt", items)`` or ``("struct", [])`` of a property or array item.

    Follows the RDF forms XMP allows for one value (XMP Specification Part 1, 7.9 "Qualifiers" and C.2
    "RDF syntax"): a **qualified value** — ``rdf:value`` with qualifiers beside it, written as
    ``rdf:parseType="Resource"``, as an ``rdf:Description`` child, or as attributes of an empty element — has
    the type of its ``rdf:value``: a qualified Text is still Text (``xmpidq:Scheme`` on an ``xmp:Identifier``
    item). A structure is an element with ``rdf:parseType="Resource"``, an ``rdf:Description`` child or
    field attributes, and no ``rdf:value``.
    """
    if el.get(_RDF_VALUE) is not None:  # <x:p rdf:value="…" q:qual="…"/>
        return "simple", [el.get(_RDF_VALUE)]
    if el.get(f"{{{_RDF}}}resource") is not None:
        return "simple", [el.get(f"{{{_RDF}}}resource")]
    children = _fields(el)
    if el.get(f"{{{_RDF}}}parseType") == "Resource":
        node = el
    elif len(children) == 1 and children[0].tag == _RDF_DESCRIPTION:
        node = children[0]
        if node.get(_RDF_VALUE) is not None:
            return "simple", [node.get(_RDF_VALUE)]
    elif not children:
        return ("struct", []) if _plain_attrs(el) else ("simple", [el.text or ""])
    elif len(children) == 1 and children[0].tag in _ARRAYS:
        return _ARRAYS[children[0].tag], children[0].findall(f"{{{_RDF}}}li")
    else:
        return "struct", []
    value = node.find(_RDF_VALUE)
    if value is not None and depth < _MAX_VALUE_DEPTH:
        return _shape(value, depth + 1)
    return "struct", []


def _lang(el: Any, stop: Any) -> str | None:
    """The ``xml:lang`` in scope at ``el`` (declared on it or an ancestor up to ``stop``, as XML scopes it)."""
    node = el
    while node is not None:
        lang = node.get(_XML_LANG)
        if lang is not None:
            return str(lang)
        if node is stop:
            return None
        node = node.getparent()
    return None


def _simple_ok(typ: str, el: Any) -> bool:
    kind, values = _shape(el)
    if typ == "struct":
        return kind == "struct"
    if kind != "simple":
        return False
    lex = _LEX.get(typ)
    return lex is None or bool(lex.match(values[0].strip()))


def _check(ns: str, name: str, typ: str, el: Any) -> str | None:
    if typ == "Lang Alt":
        kind, items = _shape(el)
        if kind != "alt":
            return "is not a language alternative (rdf:Alt)"
        for li in items:
            if _shape(li)[0] != "simple":
                return "has an alternative that is not a text"
            if _lang(li, el) is None:
                return "has an alternative without xml:lang"
        return None
    head, _, item = typ.partition(" ")
    if head in ("bag", "seq", "alt"):
        kind, items = _shape(el)
        if kind != head:
            return f"is not an rdf:{head.capitalize()}"
        for li in items:
            if not _simple_ok(item, li):
                return f"has an item that is not of type {item}"
        return None
    if not _simple_ok(typ, el):
        return f"is not of type {typ}"
    choices = _CHOICES.get((ns, name))
    if choices is not None and _shape(el)[1][0].strip() not in choices:
        return "is not one of its closed choices"
    return None


def check_xmp_types(tree: Any) -> Iterator[tuple[str, str]]:
    """(property, problem) for each predefined property whose value breaks its type."""
    for desc in tree.iter(f"{{{_RDF}}}Description"):
        parent = desc.getparent()
        if parent is None or parent.tag != f"{{{_RDF}}}RDF":
            continue
        for key, value in desc.attrib.items():
            ns, _, name = key[1:].partition("}") if key.startswith("{") else ("", "", key)
            typ = SCHEMAS.get(ns, {}).get(name)
            if typ is None:
                continue
            if typ == "struct" or typ == "Lang Alt" or typ.split(" ")[0] in ("bag", "seq", "alt"):
                yield f"{name}", f"is not of type {typ}"
                continue
            lex = _LEX.get(typ)
            if lex is not None and not lex.match(value.strip()):
                yield name, f"is not of type {typ}"
            choices = _CHOICES.get((ns, name))
            if choices is not None and value.strip() not in choices:
                yield name, "is not one of its closed choices"
        for el in desc:
            if not isinstance(el.tag, str) or not el.tag.startswith("{"):
                continue
            ns, _, name = el.tag[1:].partition("}")
            typ = SCHEMAS.get(ns, {}).get(name)
            if typ is None:
                continue
            problem = _check(ns, name, typ, el)
            if problem is not None:
                yield name, problem
