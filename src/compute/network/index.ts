/** Interstitial network (radical Voronoi, CAVD-style) and its GCN features. See network.ts for the method. */
export { buildInterstitialNetwork, channelDimensionality, criticalChannelRadii, percolationThresholds, CAVD_LI_RADIUS, CAVD_TOLERANCE, generatorsOf } from './network';
export type { InterstitialNetwork, NetworkNode, NetworkEdge, NetworkChannels, NetworkOptions } from './network';
export { networkFeatures, gridEnergyAt, NEAREST_ATOMS } from './features';
export type { NetworkFeatures, FeatureOptions } from './features';
export { frameworkOf, shannonRadius, paulingElectronegativity } from './radii';
export type { FrameworkAtom, Framework } from './radii';
