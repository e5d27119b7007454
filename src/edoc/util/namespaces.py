"""The XML namespaces edoc reads and writes, in one place.

Every module that builds or matches a qualified name takes its namespace from here (``f"{{{DS}}}Signature"``),
so the edXML reader and writer, the XAdES signer and the XML-signature verifier cannot drift apart, and no
module imports another only for a namespace (the edXML reader used to import the writer for it).

Algorithm identifiers (digest and signature methods, transforms) are not namespaces: they stay with the
code that maps them (:mod:`edoc.sign.xades`, :mod:`edoc.verify.xmldsig`).
"""

from __future__ import annotations

__all__ = ["DS", "EDOC_METADATA", "EDOC_XMP", "EDXML", "EXC_C14N", "RDF", "WSU", "XADES", "XML"]

#: edXML (QCVN 102:2016/BTTTT), bound as the root's default and to the prefix ``edXML``.
EDXML = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
#: XML-DSig (W3C XML Signature Syntax and Processing), prefix ``ds``.
DS = "http://www.w3.org/2000/09/xmldsig#"
#: XAdES 1.3.2 (ETSI EN 319 132-1), prefix ``xades``.
XADES = "http://uri.etsi.org/01903/v1.3.2#"
#: Exclusive XML canonicalization 1.0, whose ``InclusiveNamespaces`` element lives in its own namespace.
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
#: The ``xml:`` prefix's namespace (``xml:lang``, ``xml:id``), bound in every document.
XML = "http://www.w3.org/XML/1998/namespace"
#: WS-Security utility, whose ``wsu:Id`` some signers use as an element's ID.
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#: RDF, the syntax of an XMP packet.
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: edoc's national-metadata XML (Decree 30 Appendix VI; no national namespace is published).
EDOC_METADATA = "urn:edoc:metadata:decree30:1.0"
#: edoc's own XMP properties in a PDF/A (described by the PDF/A extension schema edoc writes).
EDOC_XMP = "https://edoc.invalid/ns/pdf/1.0/"
