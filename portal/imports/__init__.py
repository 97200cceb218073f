"""The import machinery every kind of upload shares: safe reading of CSV and Excel files,
cell parsing, jobs with progress, the error workbook. Each kind (roster, training records …)
supplies its columns, its row check and its write."""
