"""The admin console: server-rendered pages over the platform API, served by the same process.

Pages never touch the database: every read and write goes through the public API in process
(``ConsoleApi``), as the signed-in API key. What the key may not see or do, the API refuses, and
the page shows the API's own message.
"""
