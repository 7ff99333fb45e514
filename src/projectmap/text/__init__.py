"""Understanding a report's text: sentences, place mentions, projects, categories."""
