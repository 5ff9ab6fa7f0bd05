/// The scalar energy model: time and power in, energy and emissions out.
///
/// Training: a token budget `D` at `tokensPerStep` per step of `stepSeconds` takes
/// `D / tokensPerStep` steps; a goodput fraction `g` (useful time / wall time: failures,
/// restarts, checkpoint stalls; 1 when not modelled) stretches the wall time to
/// `steps · stepSeconds / g` at the same average power, since a restarting cluster stays
/// powered. Energy = facility power x wall time; emissions = energy x location-based grid
/// intensity (the Llama 3.1 model card's and Luccioni et al. 2022's convention).
///
/// Serving: tokens per joule = generated tokens per second / facility watts; joules per
/// request charges all energy (prefill included) to the request's output tokens.
public enum EnergyModel {
    public static let joulesPerMegawattHour = 3.6e9

    public static func trainingWallSeconds(stepSeconds: Double, tokensPerStep: Double, tokenBudget: Double, goodput: Double) -> Double {
        tokenBudget / tokensPerStep * stepSeconds / goodput
    }

    public static func megawattHours(watts: Double, seconds: Double) -> Double {
        watts * seconds / joulesPerMegawattHour
    }

    /// Tonnes CO2e of `megawattHours` at `gridGCO2PerKWh` (g/kWh = kg/MWh; / 1000 for tonnes).
    public static func tonnesCO2e(megawattHours: Double, gridGCO2PerKWh: Double) -> Double {
        megawattHours * gridGCO2PerKWh / 1000
    }

    public static func tokensPerJoule(tokensPerSecond: Double, watts: Double) -> Double {
        tokensPerSecond / watts
    }

    public static func joulesPerRequest(outputTokensPerRequest: Double, tokensPerSecond: Double, watts: Double) -> Double {
        watts * outputTokensPerRequest / tokensPerSecond
    }
}
