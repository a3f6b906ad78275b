package dev.tapetrain.tape;

/**
 * The table of {@link FixedMath}'s {@code exp}: {@code 2^(j/128)} for {@code j = 0 … 127}
 * rounded to a double (as raw bits), and the relative tail {@code (2^(j/128) − that)/that}.
 * Written out rather than computed when the class loads: computing them with {@code BigDecimal}
 * to 60 digits took 0.1–0.2 s of every cold JVM that used {@code exp}, {@code tanh} or the
 * logistic function (a worker, {@code predict}). {@code ExpTableTest} computes them again that
 * way and checks every bit.
 */
final class ExpTable {

  private ExpTable() {}

  /** Entries: {@code 2^(j/N)} for {@code j < N}. */
  static final int BITS = 7;

  /** {@code 2^(j/128)} rounded to nearest, as raw bits. */
  static final long[] SCALE_BITS = {
      0x3ff0000000000000L, 0x3ff0163da9fb3335L, 0x3ff02c9a3e778061L, 0x3ff04315e86e7f85L,
      0x3ff059b0d3158574L, 0x3ff0706b29ddf6deL, 0x3ff0874518759bc8L, 0x3ff09e3ecac6f383L,
      0x3ff0b5586cf9890fL, 0x3ff0cc922b7247f7L, 0x3ff0e3ec32d3d1a2L, 0x3ff0fb66affed31bL,
      0x3ff11301d0125b51L, 0x3ff12abdc06c31ccL, 0x3ff1429aaea92de0L, 0x3ff15a98c8a58e51L,
      0x3ff172b83c7d517bL, 0x3ff18af9388c8deaL, 0x3ff1a35beb6fcb75L, 0x3ff1bbe084045cd4L,
      0x3ff1d4873168b9aaL, 0x3ff1ed5022fcd91dL, 0x3ff2063b88628cd6L, 0x3ff21f49917ddc96L,
      0x3ff2387a6e756238L, 0x3ff251ce4fb2a63fL, 0x3ff26b4565e27cddL, 0x3ff284dfe1f56381L,
      0x3ff29e9df51fdee1L, 0x3ff2b87fd0dad990L, 0x3ff2d285a6e4030bL, 0x3ff2ecafa93e2f56L,
      0x3ff306fe0a31b715L, 0x3ff32170fc4cd831L, 0x3ff33c08b26416ffL, 0x3ff356c55f929ff1L,
      0x3ff371a7373aa9cbL, 0x3ff38cae6d05d866L, 0x3ff3a7db34e59ff7L, 0x3ff3c32dc313a8e5L,
      0x3ff3dea64c123422L, 0x3ff3fa4504ac801cL, 0x3ff4160a21f72e2aL, 0x3ff431f5d950a897L,
      0x3ff44e086061892dL, 0x3ff46a41ed1d0057L, 0x3ff486a2b5c13cd0L, 0x3ff4a32af0d7d3deL,
      0x3ff4bfdad5362a27L, 0x3ff4dcb299fddd0dL, 0x3ff4f9b2769d2ca7L, 0x3ff516daa2cf6642L,
      0x3ff5342b569d4f82L, 0x3ff551a4ca5d920fL, 0x3ff56f4736b527daL, 0x3ff58d12d497c7fdL,
      0x3ff5ab07dd485429L, 0x3ff5c9268a5946b7L, 0x3ff5e76f15ad2148L, 0x3ff605e1b976dc09L,
      0x3ff6247eb03a5585L, 0x3ff6434634ccc320L, 0x3ff6623882552225L, 0x3ff68155d44ca973L,
      0x3ff6a09e667f3bcdL, 0x3ff6c012750bdabfL, 0x3ff6dfb23c651a2fL, 0x3ff6ff7df9519484L,
      0x3ff71f75e8ec5f74L, 0x3ff73f9a48a58174L, 0x3ff75feb564267c9L, 0x3ff780694fde5d3fL,
      0x3ff7a11473eb0187L, 0x3ff7c1ed0130c132L, 0x3ff7e2f336cf4e62L, 0x3ff80427543e1a12L,
      0x3ff82589994cce13L, 0x3ff8471a4623c7adL, 0x3ff868d99b4492edL, 0x3ff88ac7d98a6699L,
      0x3ff8ace5422aa0dbL, 0x3ff8cf3216b5448cL, 0x3ff8f1ae99157736L, 0x3ff9145b0b91ffc6L,
      0x3ff93737b0cdc5e5L, 0x3ff95a44cbc8520fL, 0x3ff97d829fde4e50L, 0x3ff9a0f170ca07baL,
      0x3ff9c49182a3f090L, 0x3ff9e86319e32323L, 0x3ffa0c667b5de565L, 0x3ffa309bec4a2d33L,
      0x3ffa5503b23e255dL, 0x3ffa799e1330b358L, 0x3ffa9e6b5579fdbfL, 0x3ffac36bbfd3f37aL,
      0x3ffae89f995ad3adL, 0x3ffb0e07298db666L, 0x3ffb33a2b84f15fbL, 0x3ffb59728de5593aL,
      0x3ffb7f76f2fb5e47L, 0x3ffba5b030a1064aL, 0x3ffbcc1e904bc1d2L, 0x3ffbf2c25bd71e09L,
      0x3ffc199bdd85529cL, 0x3ffc40ab5fffd07aL, 0x3ffc67f12e57d14bL, 0x3ffc8f6d9406e7b5L,
      0x3ffcb720dcef9069L, 0x3ffcdf0b555dc3faL, 0x3ffd072d4a07897cL, 0x3ffd2f87080d89f2L,
      0x3ffd5818dcfba487L, 0x3ffd80e316c98398L, 0x3ffda9e603db3285L, 0x3ffdd321f301b460L,
      0x3ffdfc97337b9b5fL, 0x3ffe264614f5a129L, 0x3ffe502ee78b3ff6L, 0x3ffe7a51fbc74c83L,
      0x3ffea4afa2a490daL, 0x3ffecf482d8e67f1L, 0x3ffefa1bee615a27L, 0x3fff252b376bba97L,
      0x3fff50765b6e4540L, 0x3fff7bfdad9cbe14L, 0x3fffa7c1819e90d8L, 0x3fffd3c22b8f71f1L
  };

  /** {@code (2^(j/128) − scale)/scale}, rounded to nearest. */
  static final double[] TAIL = {
      0x0.0p0, 0x1.b3b4f1a88bf6ep-54, -0x1.160139cd8dc5dp-56,
      -0x1.05e7a108766d1p-54, 0x1.cd2523567f613p-55, -0x1.bce8023f98efap-55,
      0x1.0f74e61e6c861p-57, 0x1.0a3e45b33d399p-54, 0x1.79aa65d837b6dp-54,
      0x1.eb51a92fdeffcp-55, 0x1.ebe3d702f9cd1p-60, -0x1.a033489906e0bp-57,
      -0x1.556522a2fbd0ep-54, -0x1.080ef8c4eea55p-58, -0x1.1c923b9d5f416p-54,
      0x1.0d3e3e95c55afp-55, -0x1.01b15eaa59348p-55, -0x1.f1ff055de323dp-55,
      0x1.b898c3f1353bfp-55, -0x1.6d99c7611eb26p-54, 0x1.aecf73e3a2f6p-54,
      -0x1.fe782cb86389dp-55, 0x1.a6f4144a6c38dp-55, 0x1.07a05b0e4047dp-55,
      0x1.68efde3a8a894p-54, 0x1.75e18f274487dp-55, 0x1.0472b981fe7f2p-55,
      -0x1.6b87b3f71085ep-54, 0x1.2f7e16d09ab31p-55, -0x1.d219b1a6fbffap-60,
      0x1.b3782720c0ab4p-55, 0x1.e149289cecb8fp-57, 0x1.34d754db0abb6p-55,
      0x1.64201e2ac744cp-55, 0x1.fdd395dd3f84ap-55, -0x1.6a3803b8e5b04p-55,
      -0x1.24aedcc4b5068p-54, -0x1.907f81b512d8ep-54, -0x1.1d1e83e9436d2p-56,
      -0x1.91919b3ce1b15p-54, 0x1.59f48a72a4c6dp-55, -0x1.312607a28698ap-54,
      -0x1.8a78f4817895bp-58, -0x1.c2c9b67499a1bp-56, 0x1.363ed60c2ac11p-59,
      0x1.666093b0664efp-54, 0x1.ecce1daa10379p-57, 0x1.3ff8e3f0f123p-54,
      0x1.690cebb7aafbp-56, 0x1.31dbdeb54e077p-54, -0x1.f94340071a38ep-55,
      -0x1.7deccdc93a349p-55, -0x1.8dec6bd0f385fp-56, -0x1.61246ec7b5cf6p-55,
      0x1.3350518fdd78ep-54, 0x1.b98b72f8a9b05p-56, 0x1.063e1e21c5409p-54,
      0x1.4c7855019c6eap-60, 0x1.432e62b64c035p-54, -0x1.ce44a6199769fp-55,
      -0x1.c33c53bef4da8p-55, -0x1.45378892be9aep-55, -0x1.3cedd78565858p-54,
      0x1.710aa807e1964p-58, -0x1.3b3efbf5e2228p-54, -0x1.a12ad8734b982p-57,
      -0x1.367efb86da9eep-57, -0x1.0dc3d54e08851p-55, -0x1.81f647e5a3ecfp-56,
      -0x1.6ee4ac08b7dbp-55, -0x1.619321e55e68ap-55, 0x1.09ccb5e09d4d3p-54,
      -0x1.b32dcb94da51dp-56, 0x1.4ecfd5467c06bp-54, 0x1.5ebe1abd66c55p-57,
      -0x1.8a1c52fb3cf42p-55, -0x1.369b6f13b3734p-54, -0x1.05e843a19ff1ep-55,
      -0x1.4d450d872576ep-54, 0x1.0ad675b0e8ap-54, 0x1.db72fc1f0eab4p-55,
      -0x1.5b6609cc5e7ffp-57, 0x1.bf68359f35f44p-56, -0x1.3091fa71e3d83p-54,
      -0x1.da9b88b6c1e29p-58, -0x1.c23f97c90b959p-57, -0x1.2434322f4f9aap-54,
      -0x1.5ca6cd7668e4bp-55, 0x1.1affc2b91ce27p-56, 0x1.dd235e10a73bbp-57,
      -0x1.7c50422622263p-55, 0x1.b1c86e3e231d5p-55, -0x1.1bbd1d3bcbb15p-54,
      0x1.0cc319cee31d2p-54, 0x1.469846e735ab3p-55, -0x1.2dfcd978e9db4p-55,
      0x1.c1a7792cb3387p-55, -0x1.07b8f4ad1d9fap-54, -0x1.5c3d956dcaebap-58,
      -0x1.0a40e3da6f64p-54, -0x1.8d6f438ad9334p-57, -0x1.1eee26b588a35p-54,
      0x1.4ffd70a5fddcdp-56, -0x1.1bdfbfa9298acp-54, 0x1.36eae30af0cb3p-56,
      0x1.ee3325c9ffd94p-55, 0x1.4e08fd10959acp-55, 0x1.3cdaf384e1a67p-57,
      0x1.76b2c6c921968p-57, -0x1.08a1883ccb5d2p-55, -0x1.fad5d3ffffa6fp-55,
      -0x1.00dae3875a949p-54, 0x1.4a385a63d07a7p-56, -0x1.2919e2040220fp-55,
      0x1.e5a50d5c192acp-55, 0x1.43a59ac016b4bp-55, -0x1.2d52107b43e1fp-55,
      -0x1.92ab93b470dc9p-55, 0x1.4b604603a88d3p-56, 0x1.3c5ec519d7271p-55,
      -0x1.ff7128fd391fp-55, -0x1.dae98e223747dp-55, 0x1.ec3bc41aa2008p-55,
      0x1.42b94c3a9eb32p-55, 0x1.a64a931d185eep-55, -0x1.e37bae43be3edp-55,
      0x1.7893b4d91cd9dp-56, 0x1.305c14160cc89p-58
  };
}
