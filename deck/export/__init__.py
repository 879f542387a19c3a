"""Writing outputs safely, and PDFs and previews through LibreOffice."""
