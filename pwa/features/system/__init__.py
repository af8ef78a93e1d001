"""The platform's health page for central administrators."""
