// Pipeline's public API speaks in SluiceSupport's types (JSONValue, Secret,
// UserFacingError); re-exporting spares every user an extra import.
@_exported import SluiceSupport
