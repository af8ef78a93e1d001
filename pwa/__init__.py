"""The installable web app (reactpy pages, manifest, service worker). Its pages arrive with the PWA issue;
the folder exists now so the layout matches the design card."""
