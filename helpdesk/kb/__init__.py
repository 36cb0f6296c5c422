"""The knowledge base and the help dialog's search and deflection measure."""
