"""Pages of programmes: list, programme with its roadmap edited in place (htmx), review, history, import/export.

Views are thin: they find the object through `programs.access` (404 outside the user's reach), check the step
(403 for the wrong role), call a service and render. Row-level actions answer htmx with a partial and plain
requests with a redirect, so every action also works without JavaScript.

By area: `programmes` (list, new programme, its page, passport, history, print), `roadmap` (tasks and measures),
`evidence` (a measure's documents), `reviews` (submission, reviews, rounds compared) and `workbook` (the roadmap's
xlsx export and import); `common` holds what they share.
"""
