"""Reading a report: decoding, formats (txt, html, docx, pdf), title and date."""
