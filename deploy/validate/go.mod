module weft.local/deploy-validate

go 1.26.0
