"""Click commands for each stage; plain functions of the stages do the work."""
