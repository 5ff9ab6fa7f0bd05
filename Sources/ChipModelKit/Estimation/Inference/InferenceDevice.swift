extension RooflineDevice {
    /// The roofline device for inference: `RooflineDevice` with
    /// `InferenceCalibration.assumedOnChipMBWhenUnknown` of tile memory when the spec has no
    /// on-chip memory (half of it for tiles, as the training model assumes).
    public static func inference(chip: ChipParameters, format: NumberFormat, emulate: Bool) throws -> RooflineDevice {
        var d = try RooflineDevice(chip: chip, format: format, emulate: emulate)
        if chip.sramMB == nil && chip.l2CacheMB == nil {
            d.sramTileBytes = InferenceCalibration.assumedOnChipMBWhenUnknown * 1e6 * 0.5
        }
        return d
    }
}
